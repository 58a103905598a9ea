using Microsoft.Extensions.Time.Testing;

namespace StretchBot.Tests.Infrastructure;

public static class ClockExtensions
{
    /// <summary>
    /// Puts the wall clock at another instant, earlier or later, as if the machine's clock were changed: what the app
    /// reads as "now" moves, timers don't fire (to let time pass, use <see cref="FakeTimeProvider.Advance"/>).
    /// </summary>
    public static void Set(this FakeTimeProvider clock, DateTimeOffset now) => clock.AdjustTime(now);
}
