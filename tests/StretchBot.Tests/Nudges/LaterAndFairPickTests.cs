using System.Text.Json.Nodes;
using StretchBot.Scheduling;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Nudges;

/// <summary>Which stretch a nudge brings, and Later: the person alone gets it again in 15 minutes.</summary>
public sealed class LaterAndFairPickTests : NudgeTest
{
    private static readonly string[] DeskStretches = ["back-twist", "standing-incline", "standing-tilt", "swedish-wall"];

    protected override void Configure(StretchBotFactory factory)
    {
        base.Configure(factory);
        // Nobody clicks Done here; the schedule must not pause itself half-way.
        factory.Settings["Scheduling:UnansweredLimit"] = "100";
    }

    [Fact]
    public async Task NudgesCycleThroughEveryDeskStretchBeforeAnyRepeats()
    {
        await InstallAsync();
        await ScheduleAsync(ScheduleSpec.Every(TimeSpan.FromMinutes(30), new TimeOnly(11, 0), new TimeOnly(17, 0), ScheduleSpec.Weekdays, "Europe/London"));

        var fireTime = Utc("2026-11-18T11:00Z");
        for (var i = 0; i < 12; i++, fireTime += TimeSpan.FromMinutes(30))
        {
            await FireAtAsync(fireTime);
            await Fake.WaitForAsync(r => r.HasSummary("Stretch:"), i + 1);
            await DeliveriesFinishedAsync();
        }

        var picked = Factory.Rows("SELECT p.stretch_id FROM deliveries d JOIN prompts p ON p.id = d.prompt_id ORDER BY d.fire_time")
            .Select(r => (string)r[0]!).ToList();
        Assert.Equal(12, picked.Count);
        foreach (var cycle in picked.Chunk(4))
        {
            Assert.Equal(DeskStretches, cycle.Order());
        }

        // Random within a cycle (a fixed seed here), and a new cycle never starts with the stretch that ended the last.
        Assert.NotEqual(picked[3], picked[4]);
        Assert.NotEqual(picked[7], picked[8]);
        Assert.False(picked.Take(4).SequenceEqual(picked.Skip(4).Take(4)) && picked.Take(4).SequenceEqual(picked.Skip(8)), "the same order every cycle");
    }

    [Fact]
    public async Task LaterBringsTheStretchBackToThePersonAloneInTheir1To1ChatFifteenMinutesLater()
    {
        var (card, prompt, stretch) = await NudgeAt1045Async();

        // Ada clicks Later, twice: one reminder, the same time both times, in her own time (London: UTC in November).
        var answer = await Teams.InvokeAsync(TeamsClient.Execute(LaterData(prompt, stretch), TeamsUser.Ada, card));
        var again = await Teams.InvokeAsync(TeamsClient.Execute(LaterData(prompt, stretch), TeamsUser.Ada, card));
        Assert.Equal("application/vnd.microsoft.activity.message", (string?)answer["type"]);
        Assert.Contains("OK, I'll bring this stretch back at 11:00", (string?)answer["value"]);
        Assert.Contains("11:00", (string?)again["value"]);
        Assert.Equal(1L, Factory.Rows("SELECT COUNT(*) FROM deliveries WHERE kind = 'later'")[0][0]);

        // Nothing before the time; at 11:00 Teams opens (or finds) her 1:1 chat, and the stretch goes there.
        Assert.Single(StretchCards());
        Clock.AdvanceTo(Utc("2026-11-18T11:00Z"));
        var opened = await Fake.WaitForAsync(r => r.Method == "POST" && r.Path == "/amer/v3/conversations");
        var personal = await Fake.WaitForAsync(r => r.HasSummary("Stretch:") && r.Path.Contains("personal", StringComparison.Ordinal));
        await DeliveriesFinishedAsync();

        Assert.Equal(false, (bool?)opened.Body!["isGroup"]);
        Assert.Equal(TeamsUser.Ada.Id, (string?)opened.Body["members"]![0]!["id"]);
        Assert.Equal(TeamsClient.Tenant, (string?)opened.Body["tenantId"]);
        Assert.Equal(TimeSpan.FromMinutes(30), personal.At);
        Assert.Contains("you saved for later", CardReader.AllText(personal.Card));
        Assert.Equal(2, StretchCards().Count);
        var later = Factory.Rows("SELECT status, user_id, message_id FROM deliveries WHERE kind = 'later'")[0];
        Assert.Equal(["sent", TeamsUser.Ada.Id], later[..2]);
        Assert.NotNull(later[2]);
        // Her card there counts in her 1:1 chat, against the same stretch.
        Assert.Equal([stretch, TeamsUser.Ada.Id], Factory.Rows("SELECT stretch_id, requested_by FROM prompts WHERE conversation_id LIKE 'a:personal-%'")[0]);
    }

    [Fact]
    public async Task WhereTeamsWontOpenA1To1ChatLaterMentionsThePersonInTheSameConversation()
    {
        var (card, prompt, stretch) = await NudgeAt1045Async();
        Fake.Responder = r => r.Method == "POST" && r.Path == "/amer/v3/conversations"
            ? new FakeReply(403, """{"error":{"code":"Forbidden","message":"The bot is not installed for this user."}}""")
            : null;
        var grace = new TeamsUser("29:1grace", "Grace <Hopper> & Co", "America/New_York");

        var answer = await Teams.InvokeAsync(TeamsClient.Execute(LaterData(prompt, stretch), grace, card));
        // Grace reads her own time: 06:00 in New York.
        Assert.Contains("back at 06:00", (string?)answer["value"]);
        Clock.AdvanceTo(Utc("2026-11-18T11:00Z"));
        var mentioned = await Fake.WaitForAsync(r => r.HasSummary("Stretch:") && r.Body?["entities"] is not null);
        await DeliveriesFinishedAsync();

        Assert.Equal($"/amer/v3/conversations/{Uri.EscapeDataString(TeamsClient.Channel)}/activities", mentioned.Path);
        var entity = mentioned.Body!["entities"]![0]!;
        Assert.Equal("mention", (string?)entity["type"]);
        Assert.Equal(grace.Id, (string?)entity["mentioned"]!["id"]);
        Assert.Equal(grace.Name, (string?)entity["mentioned"]!["name"]);
        // The name is text in Teams' HTML: escaped, and the same tag in the text and the entity.
        Assert.Equal("<at>Grace &lt;Hopper&gt; &amp; Co</at>", (string?)entity["text"]);
        Assert.StartsWith("<at>Grace &lt;Hopper&gt; &amp; Co</at>", (string?)mentioned.Body["text"]);
        Assert.Equal(["sent"], Factory.Rows("SELECT status FROM deliveries WHERE kind = 'later'")[0]);
    }

    /// <summary>The bot installed, a weekday 10:45 schedule, its card posted: the card's activity id, its prompt and stretch.</summary>
    private async Task<(string Card, string Prompt, string Stretch)> NudgeAt1045Async()
    {
        await InstallAsync();
        await ScheduleAsync(ScheduleSpec.At(ScheduleSpec.Weekdays, [new TimeOnly(10, 45)], "Europe/London"));
        await FireAtAsync(Utc("2026-11-18T10:45Z"));
        await Fake.WaitForAsync(r => r.HasSummary("Stretch:"));
        await DeliveriesFinishedAsync();
        var row = Factory.Rows("SELECT p.id, p.stretch_id, d.message_id FROM deliveries d JOIN prompts p ON p.id = d.prompt_id")[0];
        return ((string)row[2]!, (string)row[0]!, (string)row[1]!);
    }

    private static JsonObject LaterData(string prompt, string stretch) => new() { ["action"] = "later", ["promptId"] = prompt, ["stretchId"] = stretch };
}
