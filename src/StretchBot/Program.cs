using Microsoft.Extensions.Options;
using StretchBot;
using StretchBot.Cards;
using StretchBot.Catalog;
using StretchBot.Channels.Local;
using StretchBot.Channels.Teams;
using StretchBot.Delivery;

var builder = WebApplication.CreateBuilder(args);

// A start-up failure (broken custom catalog, bad setting) is reported below as one line saying what to fix;
// the host would otherwise log the same failure again with a stack trace.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

builder.Services.AddStretchBotCore(builder.Environment.ContentRootPath);
builder.Services.AddOptions<CardOptions>().BindConfiguration(CardOptions.Section);
builder.Services.AddSingleton<CardRenderer>();
builder.Services.AddDelivery();
builder.Services.AddLocalChannel();
builder.Services.AddTeamsChannel();
builder.Services.AddHostedService<StartupChecks>();
builder.Services.AddProblemDetails();

var app = builder.Build();

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
