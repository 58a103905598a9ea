namespace StretchBot.Cards;

/// <summary>What a channel's client can do with a card: Teams sends Action.Execute, Web Chat only Action.Submit. Each adapter knows its own.</summary>
public sealed record ChannelCapabilities(bool SupportsExecute);
