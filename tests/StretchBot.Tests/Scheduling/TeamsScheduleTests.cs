using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StretchBot.Scheduling;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Scheduling;

/// <summary>Schedules from a Teams channel through /api/messages (signed tokens, the fake Bot Connector).</summary>
public sealed class TeamsScheduleTests : TeamsScheduleTest
{
    private const string OtherTenant = "00000000-0000-0000-0000-0000000000bb";

    [Fact]
    public async Task TenantsNeverSeeOrChangeEachOthersSchedules()
    {
        Assert.Contains("Schedule set", await SayAsync(TeamsUser.Ada, "schedule weekdays 10:30 15:00"));
        var id = (string)Assert.Single(Factory.Rows("SELECT id FROM schedules"))[0]!;

        // The same conversation id, another tenant: nothing of tenant A's is shown or changed.
        var shown = await SayAsync(TeamsUser.Grace, "schedule", OtherTenant);
        Assert.Contains("No schedule yet", shown);
        Assert.DoesNotContain("Weekdays (Mon–Fri)", shown);
        Assert.DoesNotContain("Next nudges", shown);
        Assert.Contains("No schedule to turn off", await SayAsync(TeamsUser.Grace, "schedule off", OtherTenant));
        await SayAsync(TeamsUser.Grace, "holidays add 2026-12-24", OtherTenant);
        await SayAsync(TeamsUser.Grace, "pause 1w", OtherTenant);

        var mine = Assert.Single(Factory.Rows($"SELECT spec, paused_until FROM schedules WHERE tenant_id = '{TeamsClient.Tenant}'"));
        Assert.Equal(["weekdays 10:30 15:00", null], mine);
        Assert.Empty(Factory.Rows($"SELECT day FROM schedule_holidays WHERE schedule_id = '{id}'"));
        Assert.Empty(Factory.Rows($"SELECT id FROM schedules WHERE tenant_id = '{OtherTenant}' AND spec IS NOT NULL"));
        Assert.Equal(2L, Factory.Rows($"SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE JOB_NAME = '{id}'")[0][0]);
        Assert.Equal(2L, Factory.Count("QRTZ_TRIGGERS"));
    }

    [Fact]
    public async Task RemindMeInAChannelPointsToTheOneToOneChat()
    {
        var reply = await SayAsync(TeamsUser.Ada, "remind me weekdays 11:00");

        Assert.Contains("Personal reminders live in our 1:1 chat", reply);
        Assert.Equal(0L, Factory.Count("schedules"));
    }

    [Fact]
    public async Task ReinstallingWhereAScheduleStoppedOffersToRestoreIt()
    {
        await Teams.SendAsync(Install(TeamsUser.Ada));
        await BackgroundWorkFinishedAsync();
        await SayAsync(TeamsUser.Ada, "schedule weekdays 10:30 15:00");
        var id = (string)Assert.Single(Factory.Rows("SELECT id FROM schedules"))[0]!;

        // Removed from the team: the removal itself stops the schedule (settings and reason kept) and drops its triggers.
        var remove = Install(TeamsUser.Ada);
        remove["action"] = "remove";
        await Teams.SendAsync(remove);
        await BackgroundWorkFinishedAsync();
        var stopped = Assert.Single(Factory.Rows($"SELECT spec, stopped_reason FROM schedules WHERE id = '{id}' AND stopped_at IS NOT NULL"));
        Assert.Equal(["weekdays 10:30 15:00", "removed from the conversation"], stopped);
        Assert.Equal(0L, Factory.Count("QRTZ_TRIGGERS"));
        Assert.Equal(0L, Factory.Count("QRTZ_JOB_DETAILS"));

        var before = Fake.Requests.Count;
        await Teams.SendAsync(Install(TeamsUser.Ada));
        await BackgroundWorkFinishedAsync();

        var posts = Fake.Requests.Skip(before).Where(r => r.Method == "POST").ToList();
        Assert.Equal(2, posts.Count);
        Assert.Contains("Hi, I'm StretchBot", CardReader.AllText(posts[0].Card));
        var offer = (string?)posts[1].Body!["text"];
        Assert.Contains("restore the schedule", offer);
        Assert.Contains("Weekdays (Mon–Fri) at 10:30 and 15:00", offer);
        Assert.Contains("`schedule restore`", offer);

        var reply = await SayAsync(TeamsUser.Ada, "schedule restore");
        Assert.Contains("Schedule restored", reply);
        Assert.Equal(2L, Factory.Count("QRTZ_TRIGGERS"));
    }

    [Fact]
    public async Task AnInstallWithNothingStoppedIsJustTheWelcome()
    {
        await Teams.SendAsync(Install(TeamsUser.Ada));
        await BackgroundWorkFinishedAsync();

        var post = Assert.Single(Fake.Requests, r => r.Method == "POST");
        Assert.Contains("Hi, I'm StretchBot", CardReader.AllText(post.Card));
    }

}

/// <summary>Where only owners may change schedules (Scheduling:WhoCanChange = Owners).</summary>
public sealed class TeamsScheduleOwnersTests : TeamsScheduleTest
{
    private static readonly TeamsUser Olivia = new("29:1olivia-owner", "Olivia Owner");

    protected override void Configure(StretchBotFactory factory)
    {
        factory.Settings["Scheduling:WhoCanChange"] = "Owners";
        factory.Settings["Scheduling:Owners:0"] = Olivia.Id;
    }

    [Fact]
    public async Task OnlyTheInstallerAndTheOwnersMayChangeTheScheduleAndAnyoneMaySeeIt()
    {
        await Teams.SendAsync(Install(TeamsUser.Ada));
        await BackgroundWorkFinishedAsync();

        foreach (var change in new[] { "schedule weekdays 10:30", "pause 1w", "timezone Europe/Berlin", "holidays add 2026-12-24", "jitter 10m", "schedule off" })
        {
            var refused = await SayAsync(TeamsUser.Grace, change);
            Assert.Contains("Only owners can change this", refused);
            Assert.Contains("`schedule`", refused);
        }

        Assert.Equal(0L, Factory.Count("schedules"));
        Assert.Contains("No schedule yet", await SayAsync(TeamsUser.Grace, "schedule"));

        // The person who installed it.
        Assert.Contains("Schedule set", await SayAsync(TeamsUser.Ada, "schedule weekdays 10:30"));
        Assert.Equal([TeamsUser.Ada.Id, "weekdays 10:30"], Assert.Single(Factory.Rows("SELECT set_by, spec FROM schedules")));

        // An owner named in Scheduling:Owners.
        Assert.Contains("Jitter on", await SayAsync(Olivia, "jitter 10m"));
        // Someone the platform reports as an owner: the channel sets Who.IsOwner, which the core honours.
        var conversation = Factory.Services.GetRequiredService<ScheduleConversation>();
        var row = Factory.Rows("SELECT tenant_id, channel_id, conversation_id FROM schedules")[0];
        var where = new StretchBot.Conversation.Where((string)row[1]!, (string)row[0]!, (string)row[2]!, TeamsClient.Channel, true);
        var person = new StretchBot.Conversation.Person((string)row[0]!, "29:1team-owner", "Team Owner", null, false);
        var turn = new StretchBot.Conversation.Turn(where, new StretchBot.Conversation.Who("29:1team-owner", "Team Owner", IsOwner: true));
        var answer = await conversation.HandleAsync(turn, person, StretchBot.Conversation.Commands.Parse("nudge stretches floor"), default);
        Assert.Contains("floor", Assert.IsType<StretchBot.Conversation.MessageView>(Assert.Single(answer)).Text.ToString());

        // Anyone sees it.
        var shown = await SayAsync(TeamsUser.Grace, "schedule");
        Assert.Contains("Weekdays (Mon–Fri) at 10:30", shown);
        Assert.Contains("Floor stretches", shown);
        Assert.Equal(["floor", 10L], Factory.Rows("SELECT stretch_kinds, jitter_minutes FROM schedules")[0]);
    }
}

/// <summary>Where only owners may change schedules, a person's own 1:1 chat is still theirs to set up.</summary>
public sealed class TeamsScheduleOwnersPersonalTests : TeamsScheduleTest
{
    protected override void Configure(StretchBotFactory factory) => factory.Settings["Scheduling:WhoCanChange"] = "Owners";

    [Fact]
    public async Task InTheirOwnOneToOneChatAPersonChangesTheirOwnRemindersSettings()
    {
        Assert.Contains("Reminder set", await SayPersonalAsync(TeamsUser.Grace, "remind me weekdays 11:00"));

        foreach (var change in new[] { "pause 1w", "timezone Europe/Berlin", "holidays add 2026-12-24", "jitter 10m", "nudge stretches floor", "resume" })
        {
            var reply = await SayPersonalAsync(TeamsUser.Grace, change);
            Assert.DoesNotContain("Only owners can change this", reply);
        }

        var reminder = Assert.Single(Factory.Rows($"SELECT time_zone, jitter_minutes, stretch_kinds, paused_until, id FROM schedules WHERE owner_id = '{TeamsUser.Grace.Id}'"));
        Assert.Equal(["Europe/Berlin", 10L, "floor", null], reminder[..4]);
        Assert.Equal(["2026-12-24"], Factory.Rows($"SELECT day FROM schedule_holidays WHERE schedule_id = '{reminder[4]}'").Select(r => (string)r[0]!));

        // In a channel the same person is still refused.
        Assert.Contains("Only owners can change this", await SayAsync(TeamsUser.Grace, "jitter 10m"));
    }
}

/// <summary>Talking to the app in the Teams channel of <see cref="TeamsClient.Channel"/>.</summary>
public abstract class TeamsScheduleTest : TeamsTest
{
    /// <summary>The bot installed in the team of <see cref="TeamsClient.Channel"/> by <paramref name="by"/>.</summary>
    protected static JsonObject Install(TeamsUser by)
    {
        var install = TeamsClient.Fixture("installationUpdate-add-team.json");
        install["recipient"] = new JsonObject { ["id"] = TeamsClient.BotId, ["name"] = "StretchBot" };
        install["from"] = by.Json();
        install["conversation"]!["id"] = TeamsClient.Channel;
        install["conversation"]!["tenantId"] = TeamsClient.Tenant;
        install["channelData"]!["tenant"]!["id"] = TeamsClient.Tenant;
        install["channelData"]!["team"]!["id"] = TeamsClient.Channel;
        return install;
    }

    /// <summary>Says <paramref name="text"/> in the person's 1:1 chat with the bot (shaped like the recorded one) and returns the replies as text.</summary>
    protected async Task<string> SayPersonalAsync(TeamsUser user, string text)
    {
        var activity = TeamsClient.Fixture("message-personal.json");
        activity["id"] = $"p:{Guid.NewGuid():N}";
        activity["text"] = text;
        activity["from"] = user.Json();
        activity["recipient"] = new JsonObject { ["id"] = TeamsClient.BotId, ["name"] = "StretchBot" };
        activity["conversation"]!["id"] = $"a:1-personal-{user.Id[3..]}";
        activity["entities"] = new JsonArray(new JsonObject { ["type"] = "clientInfo", ["locale"] = "en-US", ["timezone"] = user.TimeZone, ["platform"] = "Web" });
        var before = Fake.Requests.Count;
        await Teams.SendAsync(activity);
        // Time passes as it does between one message and the next: the rate gate holds each reply's permit for a
        // second (and two, and an hour) after it was sent, on the app's clock.
        await PassTimeUntilBackgroundWorkFinishedAsync();
        var posts = Fake.Requests.Skip(before).Where(r => r.Method == "POST").ToList();
        Assert.NotEmpty(posts);
        return string.Join("\n", posts.Select(p => (string?)p.Body?["text"] + "\n" + CardReader.AllText(p.Card)));
    }

    /// <summary>Says <paramref name="text"/> in the channel and returns everything the bot posted back, as text.</summary>
    protected async Task<string> SayAsync(TeamsUser user, string text, string? tenant = null)
    {
        var activity = TeamsClient.ChannelMessage(text, user);
        if (tenant is not null)
        {
            activity["conversation"]!["tenantId"] = tenant;
            activity["channelData"]!["tenant"]!["id"] = tenant;
        }

        var before = Fake.Requests.Count;
        await Teams.SendAsync(activity);
        // Time passes as it does between one message and the next: the rate gate holds each reply's permit for a
        // second (and two, and an hour) after it was sent, on the app's clock.
        await PassTimeUntilBackgroundWorkFinishedAsync();
        var posts = Fake.Requests.Skip(before).Where(r => r.Method == "POST").ToList();
        Assert.NotEmpty(posts);
        return string.Join("\n", posts.Select(p => (string?)p.Body?["text"] + "\n" + CardReader.AllText(p.Card)));
    }
}
