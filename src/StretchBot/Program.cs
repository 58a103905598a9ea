using Microsoft.Extensions.Options;
using StretchBot;
using StretchBot.Cards;
using StretchBot.Catalog;
using StretchBot.Channels.Local;
using StretchBot.Channels.Teams;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // Published, the app is started as `dotnet /srv/stretchbot/StretchBot.dll` from any folder: its appsettings.json,
    // wwwroot, card templates and a relative Storage:SqlitePath belong beside StretchBot.dll, not in the caller's
    // working folder. An explicit --contentRoot (which `dotnet run` passes: the project folder) still wins.
    ContentRootPath = ContentRoot.IsGiven(args) ? null : AppContext.BaseDirectory,
});

// A start-up failure (broken custom catalog, bad setting) is reported below as one line saying what to fix; the
// host's own error log of it, with a stack trace, is held back while it starts, and only that (see HostLogGate).
var hostLog = new HostLogGate();
builder.Logging.AddFilter(HostLogGate.Category, hostLog.Allows);

builder.Services.AddStretchBotCore(builder.Environment.ContentRootPath);
builder.Services.AddOptions<CardOptions>().BindConfiguration(CardOptions.Section);
builder.Services.AddSingleton<CardRenderer>();
builder.Services.AddLocalChannel();
builder.Services.AddTeamsChannel();
builder.Services.AddHostedService<StartupChecks>();
builder.Services.AddProblemDetails();

var app = builder.Build();
app.Lifetime.ApplicationStarted.Register(hostLog.Started);

app.UseExceptionHandler();
app.UseStatusCodePages();
// The playground's files are for this machine only, like the Direct Line endpoint they talk to.
app.UseWhen(DirectLineEndpoints.IsLoopback, local => local.UseStaticFiles());
app.MapGet("/healthz", () => TypedResults.Text("ok"));
app.MapLocalChannel();
app.MapTeamsChannel();

try
{
    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is StartupException or CatalogValidationException or OptionsValidationException)
{
    // A configuration mistake, not a crash: say what to fix, without a stack trace.
    Console.Error.WriteLine($"StretchBot could not start: {exception.Message}");
    return 1;
}
