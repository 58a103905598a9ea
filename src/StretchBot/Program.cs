using StretchBot;
using StretchBot.Cards;
using StretchBot.Channels.Local;
using StretchBot.Channels.Slack;
using StretchBot.Channels.Teams;
using StretchBot.Delivery;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // Published, the app is started as `dotnet /srv/stretchbot/StretchBot.dll` from any folder: its appsettings.json,
    // wwwroot, card templates and a relative Storage:SqlitePath belong beside StretchBot.dll, not in the caller's
    // working folder. An explicit --contentRoot (which `dotnet run` passes: the project folder) still wins.
    ContentRootPath = ContentRoot.IsGiven(args) ? null : AppContext.BaseDirectory,
});

// A start-up failure (broken custom catalog, bad setting) is reported below as one line saying what to fix; the
// host's own error log of that one failure, with a stack trace, is held back, and nothing else (see HostLogGate).
var hostLog = new HostLogGate();
builder.Logging.AddFilter(HostLogGate.Category, hostLog.Allows);
builder.Services.AddSingleton(hostLog);

// First of the hosted services, so a broken catalog or template is reported by it before anything else starts.
builder.Services.AddHostedService<StartupChecks>();
builder.Services.AddStretchBotCore(builder.Environment.ContentRootPath);
builder.Services.AddOptions<CardOptions>().BindConfiguration(CardOptions.Section);
builder.Services.AddSingleton<CardRenderer>();
builder.Services.AddDelivery();
builder.Services.AddLocalChannel();
builder.Services.AddTeamsChannel();
builder.Services.AddSlackChannel();
builder.Services.AddProblemDetails();
HostLogGate.WatchOptionsValidation(builder.Services);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
// The playground's files are for this machine only, like the Direct Line endpoint they talk to.
app.UseWhen(DirectLineEndpoints.IsLoopback, local => local.UseStaticFiles());
app.MapGet("/healthz", () => TypedResults.Text("ok"));
app.MapLocalChannel();
app.MapTeamsChannel();
app.MapSlackChannel();

try
{
    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (StartupException.IsConfigurationMistake(exception))
{
    // A configuration mistake, not a crash: say what to fix, without a stack trace.
    Console.Error.WriteLine($"StretchBot could not start: {StartupException.Describe(exception)}");
    return 1;
}
