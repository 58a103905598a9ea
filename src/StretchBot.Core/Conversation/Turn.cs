namespace StretchBot.Conversation;

/// <summary>Where a turn happens. The tenant scopes every query: one tenant or workspace never sees another's data.</summary>
public sealed record Where(string ChannelId, string TenantId, string ConversationId, string? TeamId = null, bool IsGroup = false, string? ConversationName = null);

/// <summary>
/// Who is talking. DisplayName is null when the channel has no real name for the person (the playground); they then go
/// by a name they choose with <c>name</c>. TimeZone is an IANA or Windows id when the channel tells us one. IsOwner is true
/// when the platform reports the person as an owner of the team or chat (where only owners may change schedules).
/// </summary>
public sealed record Who(string UserId, string? DisplayName, string? TimeZone = null, bool IsOwner = false);

/// <summary>A button on one of our cards, already read out of the channel's wire format by its adapter.</summary>
/// <param name="Step">The walkthrough step the card showed when the button was clicked (1-based), where it says.</param>
public sealed record CardAction(string Name, string? PromptId = null, string? StretchId = null, string? Filter = null, int? Step = null);

/// <summary>One turn of any channel: who, where, and what they said or clicked.</summary>
public sealed record Turn(Where Where, Who Who, string? Text = null, CardAction? Action = null);
