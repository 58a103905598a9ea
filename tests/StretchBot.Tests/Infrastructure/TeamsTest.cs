using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StretchBot.Channels;

namespace StretchBot.Tests.Infrastructure;

/// <summary>A fresh app per test wired to a fresh loopback fake of the Bot Connector, its OpenID issuer and Entra ID.</summary>
public abstract class TeamsTest : AppTest, IAsyncLifetime
{
    // Small enough that a retry delay or the shared-card interval is met within a few steps, and far below any
    // per-attempt timeout a test doesn't mean to reach, so passing time never abandons a call still on the wire.
    private static readonly TimeSpan TimeStep = TimeSpan.FromMilliseconds(100);

    protected FakeBotFramework Fake { get; private set; } = null!;

    protected TeamsClient Teams { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    /// <summary>The app's clock: it moves only when the test moves it.</summary>
    protected FakeTimeProvider Clock => Factory.Clock;

    public async Task InitializeAsync()
    {
        Fake = await FakeBotFramework.StartAsync();
        Fake.Apply(Factory);
        Configure(Factory);
        Http = Factory.CreateClient();
        Teams = new TeamsClient(Http, Fake, Factory.Clock);
    }

    /// <summary>Settings for this test class, before the app starts.</summary>
    protected virtual void Configure(StretchBotFactory factory)
    {
    }

    public async Task DisposeAsync() => await Fake.DisposeAsync();

    /// <summary>Waits until the app has finished every activity it accepted (its replies sent or given up).</summary>
    protected Task BackgroundWorkFinishedAsync() => Factory.WhenBackgroundWorkFinishedAsync();

    /// <summary>Once the app has finished what it accepted, asserts the connector heard nothing from it.</summary>
    protected async Task AssertNothingSentAsync()
    {
        await BackgroundWorkFinishedAsync();
        Assert.Empty(Fake.Requests);
    }

    /// <summary>
    /// Lets time pass on the app's clock, a step at a time, until <paramref name="happening"/> completes: retry delays,
    /// Retry-After and the shared-card interval elapse in fake time, so the test spends none of its own.
    /// </summary>
    protected async Task<T> PassTimeUntilAsync<T>(Task<T> happening)
    {
        var passed = TimeSpan.Zero;
        // Only a guard against a test that would otherwise hang.
        var guard = Task.Delay(TimeSpan.FromSeconds(30));
        while (!happening.IsCompleted)
        {
            Assert.False(guard.IsCompleted, $"it did not happen; {passed.TotalSeconds:0.0} s passed on the app's clock");
            Clock.Advance(TimeStep);
            passed += TimeStep;
            // Gives the app's continuations a moment to run (and register their next timer) before time moves on.
            await Task.WhenAny(happening, Task.Delay(5));
        }

        return await happening;
    }

    protected Task PassTimeUntilAsync(Task happening) => PassTimeUntilAsync(Done(happening));

    /// <summary>Lets time pass until the app has finished every activity it accepted, retries and their delays included.</summary>
    protected Task PassTimeUntilBackgroundWorkFinishedAsync() =>
        PassTimeUntilAsync(Factory.Services.GetRequiredService<BackgroundWork>().WhenIdleAsync());

    private static async Task<bool> Done(Task task)
    {
        await task;
        return true;
    }
}
