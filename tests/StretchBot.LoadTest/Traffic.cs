using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.LoadTest;

/// <summary>
/// The simulated organisation: <see cref="Channels"/> team channels spread over <see cref="Tenants"/> tenants, each
/// with <see cref="UsersPerChannel"/> people. Activities are the test suite's (TeamsClient) with the channel, tenant,
/// sender and activity id swapped in by string replacement, so building a request costs a few string copies.
/// </summary>
public sealed class Traffic(int tenants, int channels, int usersPerChannel)
{
    private const string UserMark = "@@USER@@";
    private const string IdMark = "@@ID@@";
    private const string RootMark = "@@ROOT@@";

    public int Tenants { get; } = tenants;

    public int Channels { get; } = channels;

    public int UsersPerChannel { get; } = usersPerChannel;

    public static string TenantId(int tenant) => $"7e57e000-0000-4000-8000-{tenant:D12}";

    public string TenantOf(int channel) => TenantId(channel % Tenants);

    public static string ChannelId(int channel) => $"19:loadtest{channel:D5}@thread.tacv2";

    public static string UserKey(int channel, int user) => $"c{channel}-u{user}";

    /// <summary>A "stretch" message in a channel thread, with placeholders for the sender, activity id and thread root.</summary>
    public string StretchTemplate(int channel) =>
        Retarget(TeamsClient.ChannelMessage("stretch", Placeholder, rootId: RootMark, id: IdMark), channel).ToJsonString();

    /// <summary>A click on a card's Done button (Action.Execute), with placeholders for the sender and activity id.</summary>
    public string DoneTemplate(int channel, JsonObject doneData, string replyToId, string rootId)
    {
        var activity = Retarget(TeamsClient.Execute(doneData, Placeholder, replyToId, rootId), channel);
        activity["id"] = IdMark;
        return activity.ToJsonString();
    }

    public static byte[] Fill(string template, string user, string id, string? root = null)
    {
        var text = template.Replace(UserMark, user, StringComparison.Ordinal).Replace(IdMark, id, StringComparison.Ordinal);
        if (root is not null)
        {
            text = text.Replace(RootMark, root, StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(text);
    }

    public static string Id(string prefix, long sequence) => prefix + sequence.ToString(CultureInfo.InvariantCulture);

    private static TeamsUser Placeholder => new("29:" + UserMark, "Person " + UserMark);

    private JsonObject Retarget(JsonObject activity, int channel)
    {
        var tenant = TenantOf(channel);
        var channelId = ChannelId(channel);
        var conversation = activity["conversation"]!.AsObject();
        conversation["id"] = ((string)conversation["id"]!).Replace(TeamsClient.Channel, channelId, StringComparison.Ordinal);
        conversation["tenantId"] = tenant;
        var channelData = activity["channelData"]!.AsObject();
        channelData["channel"] = new JsonObject { ["id"] = channelId };
        channelData["team"] = new JsonObject { ["id"] = channelId };
        channelData["tenant"] = new JsonObject { ["id"] = tenant };
        return activity;
    }
}
