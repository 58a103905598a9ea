using System.Text.Json.Nodes;
using StretchBot.Cards;

namespace StretchBot.Channels;

/// <summary>Puts a rendered view into a Bot Framework activity, the same for every channel that speaks that schema.</summary>
public static class RenderedContent
{
    /// <summary>An Adaptive Card attachment with its summary, or markdown text; returns the card when there is one.</summary>
    public static JsonObject? AddTo(JsonObject activity, RenderedMessage rendered)
    {
        if (rendered.Card is { } card)
        {
            activity["summary"] = rendered.Summary;
            activity["attachments"] = new JsonArray(new JsonObject { ["contentType"] = CardRenderer.AdaptiveCardContentType, ["content"] = card });
            return card;
        }

        activity["text"] = rendered.Text;
        activity["textFormat"] = "markdown";
        return null;
    }
}
