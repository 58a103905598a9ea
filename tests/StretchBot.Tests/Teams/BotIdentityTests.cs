using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StretchBot.Channels.Teams;
using StretchBot.Delivery;
using StretchBot.Tests.Infrastructure;

namespace StretchBot.Tests.Teams;

/// <summary>Single-tenant first; multi-tenant and a user-assigned managed identity by configuration.</summary>
public sealed class MultiTenantBotTests : TeamsTest
{
    protected override void Configure(StretchBotFactory factory)
    {
        factory.Settings["Teams:MicrosoftAppType"] = "MultiTenant";
        factory.Settings["Teams:MicrosoftAppTenantId"] = null;
    }

    [Fact]
    public async Task AMultiTenantBotGetsItsTokenFromTheBotFrameworkTenant()
    {
        await Teams.SendAsync(TeamsClient.ChannelMessage("help", TeamsUser.Ada));

        var reply = await Fake.WaitForAsync(r => r.Method == "POST");
        Assert.Equal("Bearer bot-token-1", reply.Authorization);
        Assert.StartsWith("tenant=botframework.com&", Assert.Single(Fake.TokenRequestBodies));
    }
}

public sealed class ManagedIdentityBotTests : TeamsTest
{
    protected override void Configure(StretchBotFactory factory)
    {
        factory.Settings["Teams:MicrosoftAppType"] = "UserAssignedMsi";
        factory.Settings["Teams:MicrosoftAppPassword"] = null;
    }

    [Fact]
    public async Task AManagedIdentityBotGetsItsTokenFromTheInstanceMetadataService()
    {
        await Teams.SendAsync(TeamsClient.ChannelMessage("help", TeamsUser.Ada));

        var reply = await Fake.WaitForAsync(r => r.Method == "POST");
        Assert.Equal("Bearer msi-token-1", reply.Authorization);
        var request = Assert.Single(Fake.TokenRequestBodies);
        Assert.Contains("resource=https://api.botframework.com&", Uri.UnescapeDataString(request));
        Assert.Contains("metadata=true", request);
    }
}

public sealed class TeamsSettingsTests : AppTest
{
    [Theory]
    [InlineData("SingleTenant", "3c9a1f52-7d4e-4b6a-9c1e-2f8d5b7a6e01", null, "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f", "Teams:MicrosoftAppPassword (the client secret) is required for a SingleTenant bot.")]
    [InlineData("SingleTenant", "3c9a1f52-7d4e-4b6a-9c1e-2f8d5b7a6e01", "secret", null, "Teams:MicrosoftAppTenantId (a GUID) is required for a SingleTenant bot.")]
    [InlineData("SingleTenant", "my-bot", "secret", "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f", "Teams:MicrosoftAppId must be the Azure Bot's Microsoft App ID (a GUID).")]
    [InlineData("UserAssignedMsi", "3c9a1f52-7d4e-4b6a-9c1e-2f8d5b7a6e01", "secret", "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f", "Teams:MicrosoftAppPassword must be empty for a UserAssignedMsi bot (the managed identity has no secret).")]
    public void IncompleteTeamsSettingsStopTheAppSayingWhatToFix(string type, string appId, string? password, string? tenant, string expected)
    {
        // The app reports this as one line at start-up (PublishedAppTests shows the line); here, the message itself.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Teams:MicrosoftAppType"] = type,
            ["Teams:MicrosoftAppId"] = appId,
            ["Teams:MicrosoftAppPassword"] = password,
            ["Teams:MicrosoftAppTenantId"] = tenant,
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddSingleton(TimeProvider.System);
        services.AddTeamsChannel();
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TeamsOptions>>().Value);

        Assert.Equal(expected, failure.Message);
    }

    [Fact]
    public void TheRateLimitsAreTeamsSlidingWindowsEachOneASetting()
    {
        using var provider = TeamsServices(new() { ["Teams:SendsPer30SecondsPerConversation"] = "40" });

        var policy = provider.GetRequiredService<IOptions<TeamsOptions>>().Value.OutboundPolicy;

        RateWindow[] conversation = [new(7, TimeSpan.FromSeconds(1)), new(8, TimeSpan.FromSeconds(2)), new(40, TimeSpan.FromSeconds(30)), new(1800, TimeSpan.FromHours(1))];
        Assert.Equal(conversation, policy.PerConversation);
        Assert.Equal([new RateWindow(50, TimeSpan.FromSeconds(1))], policy.PerTenant);
    }

    [Fact]
    public void ARateLimitOfZeroStopsTheAppSayingWhatToFix()
    {
        using var provider = TeamsServices(new() { ["Teams:SendsPer2SecondsPerConversation"] = "0" });

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TeamsOptions>>().Value);

        Assert.StartsWith("Teams outbound settings are out of range:", failure.Message);
        Assert.Contains("SendsPer2SecondsPerConversation", failure.Message);
    }

    [Fact]
    public void TheTopLevelBotFrameworkSettingNamesWorkToo()
    {
        Factory.Settings["MicrosoftAppId"] = FakeBotFramework.AppId;
        Factory.Settings["MicrosoftAppPassword"] = FakeBotFramework.AppPassword;
        Factory.Settings["MicrosoftAppTenantId"] = FakeBotFramework.AppTenantId;
        _ = Factory.CreateClient();

        var options = Factory.Services.GetRequiredService<IOptions<TeamsOptions>>().Value;

        Assert.Equal(FakeBotFramework.AppId, options.MicrosoftAppId);
        Assert.True(options.AuthenticationEnabled);
    }

    private static ServiceProvider TeamsServices(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddSingleton(TimeProvider.System);
        services.AddTeamsChannel();
        return services.BuildServiceProvider();
    }
}
