using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StretchBot.Channels;
using StretchBot.Delivery;

namespace StretchBot.Tests.Infrastructure;

/// <summary>A fresh app per test with Slack on (HTTP mode, one workspace from Slack:BotToken), wired to a fresh loopback fake of Slack.</summary>
public abstract class SlackTest : AppTest, IAsyncLifetime
{
    private static readonly TimeSpan TimeStep = TimeSpan.FromMilliseconds(250);

    protected FakeSlack Fake { get; private set; } = null!;

    protected SlackClient Slack { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    protected FakeTimeProvider Clock => Factory.Clock;

    public async Task InitializeAsync()
    {
        Fake = await FakeSlack.StartAsync();
        Fake.Users[SlackClient.User] = ("Ada Lovelace", "Europe/London");
        Fake.Apply(Factory);
        Configure(Factory);
        // Starting the app runs auth.test for the bot token, so the workspace is known before the first request.
        Http = Factory.CreateClient();
        Slack = new SlackClient(Http, Factory.Clock);
    }

    /// <summary>Settings for this test class, before the app starts.</summary>
    protected virtual void Configure(StretchBotFactory factory)
    {
    }

    public async Task DisposeAsync() => await Fake.DisposeAsync();

    /// <summary>Waits until the app has finished every request it accepted (its answers sent or given up).</summary>
    protected Task BackgroundWorkFinishedAsync() => Factory.WhenBackgroundWorkFinishedAsync();

    /// <summary>Lets time pass on the app's clock, a step at a time, until <paramref name="happening"/> completes.</summary>
    protected async Task PassTimeUntilAsync(Task happening)
    {
        var guard = Task.Delay(TimeSpan.FromSeconds(30));
        while (!happening.IsCompleted)
        {
            Assert.False(guard.IsCompleted, "it did not happen");
            Clock.Advance(TimeStep);
            await Task.WhenAny(happening, Task.Delay(5));
        }

        await happening;
    }

    /// <summary>
    /// Lets time pass until the app has finished every request it accepted: a second message to one channel waits its
    /// turn at Slack's one-per-second limit on the app's clock.
    /// </summary>
    protected Task PassTimeUntilBackgroundWorkFinishedAsync() =>
        PassTimeUntilAsync(Factory.Services.GetRequiredService<BackgroundWork>().WhenIdleAsync());

    /// <summary>Waits until the shared cards' tally updates waiting on the clock are sent, moving the clock for them.</summary>
    protected Task SharedCardsIdleAsync() =>
        PassTimeUntilAsync(Factory.Services.GetRequiredService<SharedCardUpdates>().WhenIdleAsync());

    /// <summary>The app's calls to Slack, minus the auth.test of start-up.</summary>
    protected IReadOnlyList<SlackCall> Sent => Fake.Calls.Where(c => c.Method != "auth.test").ToList();
}
