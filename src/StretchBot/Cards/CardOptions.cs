namespace StretchBot.Cards;

public sealed class CardOptions
{
    public const string Section = "Cards";

    /// <summary>Folder of the Adaptive Card templates; by default the copy of cards/teams shipped beside the app.</summary>
    public string? TemplatesPath { get; set; }

    /// <summary>Folder of the Slack Block Kit templates; by default the copy of cards/slack shipped beside the app.</summary>
    public string? SlackTemplatesPath { get; set; }
}
