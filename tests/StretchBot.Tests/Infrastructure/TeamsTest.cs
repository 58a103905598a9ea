namespace StretchBot.Tests.Infrastructure;

/// <summary>A fresh app per test wired to a fresh loopback fake of the Bot Connector, its OpenID issuer and Entra ID.</summary>
public abstract class TeamsTest : AppTest, IAsyncLifetime
{
    protected FakeBotFramework Fake { get; private set; } = null!;

    protected TeamsClient Teams { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

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

    /// <summary>Waits up to 5 s for background work to make the condition true.</summary>
    protected static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition(), "the condition did not become true within 5 s");
    }

    /// <summary>Gives background work a moment, then asserts the connector heard nothing.</summary>
    protected async Task AssertNothingSentAsync()
    {
        await Task.Delay(300);
        Assert.Empty(Fake.Requests);
    }
}
