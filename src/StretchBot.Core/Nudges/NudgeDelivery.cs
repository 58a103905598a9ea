using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using SchedulingOptions = StretchBot.Scheduling.SchedulingOptions;
using StretchBot.Catalog;
using StretchBot.Conversation;
using StretchBot.Delivery;
using StretchBot.Installs;
using StretchBot.Scheduling;
using StretchBot.Stretching;

namespace StretchBot.Nudges;

/// <summary>
/// Delivers one pending record through the <see cref="Outbox"/> and writes down how it went: sent with the
/// platform's message id, failed with the reason, or skipped. A conversation the platform says is gone stops its
/// schedules (the reason kept for a restore) and loses their Quartz jobs.
/// </summary>
public sealed class NudgeDelivery(
    DeliveryStore deliveries,
    PromptStore prompts,
    StretchCatalog catalog,
    Outbox outbox,
    ScheduleStops scheduleStops,
    NudgeService nudges,
    IOptions<SchedulingOptions> options,
    TimeProvider time)
{
    public async Task DeliverAsync(long id, CancellationToken cancellationToken)
    {
        if (await deliveries.FindAsync(id, cancellationToken) is not { Status: DeliveryStatus.Pending } delivery)
        {
            return;
        }

        if (delivery.Kind != DeliveryKinds.Notice && time.GetUtcNow() - delivery.DueAt > options.Value.MisfireThreshold)
        {
            // Pending across a long downtime: as stale as a late fire, so it is skipped the same way, never posted late.
            await deliveries.MarkSkippedAsync(id, SkipReasons.Late, cancellationToken);
            return;
        }

        var (address, install) = await outbox.AddressAsync(delivery.ChannelId, delivery.TenantId, delivery.ConversationId, cancellationToken);
        if (delivery.Kind == DeliveryKinds.Scheduled && await nudges.DecideAsync(delivery, address is not null, install, cancellationToken) is not null)
        {
            // Prepared ahead, and something changed since (a pause, a holiday, nobody answering, the bot removed): skipped, with its reason.
            return;
        }

        if (address is null)
        {
            await deliveries.MarkSkippedAsync(id, SkipReasons.NoInstall, cancellationToken);
            await StopAsync(delivery, "bot not installed", cancellationToken);
            return;
        }

        var (to, view) = delivery.Kind switch
        {
            DeliveryKinds.Scheduled => (address, await NudgeAsync(delivery, cancellationToken)),
            DeliveryKinds.Later => await LaterAsync(delivery, address, install?.ConversationType == "personal", cancellationToken),
            DeliveryKinds.Notice => (address, Unanswered()),
            _ => (address, null),
        };
        if (view is null)
        {
            await deliveries.MarkSkippedAsync(id, SkipReasons.NoStretch, cancellationToken);
            return;
        }

        // Counted before the post: a pending record with attempts at start-up may already be in the conversation.
        if (!await deliveries.BeginAttemptAsync(id, cancellationToken))
        {
            return;
        }

        var outcome = await outbox.PostProactiveAsync(to, view, cancellationToken);
        if (outcome.Sent)
        {
            await deliveries.MarkSentAsync(id, outcome.MessageId, cancellationToken);
            return;
        }

        await deliveries.MarkFailedAsync(id, (outcome.Gone ? "gone: " : string.Empty) + outcome.Reason, cancellationToken);
        if (outcome.Gone && to == address)
        {
            await StopAsync(delivery, "conversation gone: " + outcome.Reason, cancellationToken);
        }
    }

    private async Task<View?> NudgeAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.PromptId is null || await prompts.FindAsync(delivery.PromptId, cancellationToken) is not { } prompt || catalog.Find(prompt.StretchId) is not { } stretch)
        {
            return null;
        }

        // The card's heading says "Time for a 2-minute stretch"; the intro below it is the renderer's (what it's good for).
        return new StretchView(prompt.Id, stretch, Scheduled: true, DoneCount: 0, catalog.Safety);
    }

    /// <summary>To the person alone: their 1:1 chat where the channel opens one, else the same conversation with a mention.</summary>
    private async Task<(ConversationAddress, View?)> LaterAsync(Delivery delivery, ConversationAddress address, bool isPersonal, CancellationToken cancellationToken)
    {
        if (delivery.PromptId is null || delivery.UserId is null
            || await prompts.FindAsync(delivery.PromptId, cancellationToken) is not { } original || catalog.Find(original.StretchId) is not { } stretch)
        {
            return (address, null);
        }

        // Clicked in their 1:1 chat already: it comes back there.
        var personal = isPersonal ? address : await outbox.OpenPersonalAsync(address, delivery.UserId, cancellationToken);
        var to = personal ?? address;
        // A card of its own, where it is posted, so its Done counts there (for the person who asked, like on demand).
        var prompt = await prompts.CreateAsync(new Where(to.ChannelId, to.TenantId, to.ConversationId), stretch.Id, PromptKind.Scheduled, delivery.UserId, cancellationToken);
        var card = new StretchView(prompt.Id, stretch, Scheduled: true, DoneCount: 0, catalog.Safety, $"Here's the {StretchLength.Words(stretch.DurationSeconds)} stretch you saved for later.");
        return (to, personal is null ? new MentionView(delivery.UserId, delivery.UserName ?? "you", card) : card);
    }

    private MessageView Unanswered() => new(
        "I've paused the stretch breaks",
        $"Nobody clicked Done on the last {options.Value.UnansweredLimit} stretch breaks here, so I'll stop posting them for now.",
        "Type `resume` to start them again.");

    private Task StopAsync(Delivery delivery, string reason, CancellationToken cancellationToken) =>
        scheduleStops.StopConversationAsync(delivery.TenantId, delivery.ChannelId, delivery.ConversationId, reason, cancellationToken);

}
