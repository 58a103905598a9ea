using System.Text.Json.Nodes;
using StretchBot.Conversation;
using StretchBot.Scheduling;

namespace StretchBot.Cards;

// PLACEHOLDER until the slack-blocks branch lands (replaced by its file at merge).
public sealed record SlackMessage(string Text, JsonArray Blocks);

public sealed record SlackHomeSchedule(string ChannelName, ScheduleView Schedule);

public sealed record SlackHome(StatsView Stats, LeaderboardView Leaderboard, IReadOnlyList<SlackHomeSchedule> Schedules);

public sealed class SlackRenderer
{
    public void LoadAll()
    {
    }

    public SlackMessage Render(View view)
    {
        var inner = view is MentionView m ? m.Inner : view;
        var text = inner switch
        {
            StretchView s => $"Stretch: {s.Stretch.Name} ({s.DoneCount})",
            WalkthroughView w => $"Step {w.Step} of {w.StepCount}: {w.Stretch.Name}",
            DoneView d => $"Done: {d.Stretch.Name}",
            MessageView msg => msg.Title,
            _ => inner.GetType().Name,
        };
        var blocks = new JsonArray(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Markup.SlackMrkdwn.Escape(text) } });
        if (inner is StretchView sv)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray(
                    Button("start", sv.PromptId, sv.Stretch.Id, null),
                    Button("done", sv.PromptId, sv.Stretch.Id, null)),
            });
        }
        else if (inner is WalkthroughView wv)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray(
                    Button("next", wv.PromptId, wv.Stretch.Id, wv.Step),
                    Button("done", wv.PromptId, wv.Stretch.Id, wv.Step)),
            });
        }

        return new SlackMessage(Markup.SlackMrkdwn.Escape(text), blocks);
    }

    public JsonObject RenderHome(SlackHome home) => new() { ["type"] = "home", ["blocks"] = new JsonArray() };

    private static JsonObject Button(string action, string promptId, string stretchId, int? step)
    {
        var value = new JsonObject { ["p"] = promptId, ["s"] = stretchId };
        if (step is { } n)
        {
            value["n"] = n;
        }

        return new JsonObject { ["type"] = "button", ["action_id"] = action, ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = action }, ["value"] = value.ToJsonString() };
    }
}
