namespace StretchBot.Tests.Infrastructure;

/// <summary>
/// The two xunit asserts the linked TeamsClient.cs uses (in its Send/Invoke helpers, which this tool doesn't call),
/// so the file can be shared without making this console tool depend on xunit.
/// </summary>
public static class Assert
{
    public static void True(bool condition, string? userMessage = null)
    {
        if (!condition)
        {
            throw new InvalidOperationException(userMessage ?? "Expected true.");
        }
    }

    public static void Equal<T>(T expected, T actual)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new InvalidOperationException($"Expected {expected}, got {actual}.");
        }
    }
}
