namespace StretchBot.Tests.Infrastructure;

/// <summary>A test class with one fresh app (own SQLite file, own clock) per test, disposed after it.</summary>
public abstract class AppTest : IDisposable
{
    protected StretchBotFactory Factory { get; } = new();

    public void Dispose()
    {
        Factory.Dispose();
        GC.SuppressFinalize(this);
    }
}
