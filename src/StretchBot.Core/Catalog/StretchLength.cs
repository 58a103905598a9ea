namespace StretchBot.Catalog;

/// <summary>A stretch's real duration in the words a heading uses: "30-second", "2-minute". One wording everywhere.</summary>
public static class StretchLength
{
    public static string Words(int seconds) => seconds < 60
        ? $"{Math.Max(10, (int)Math.Round(seconds / 10.0) * 10)}-second"
        : $"{Math.Max(1, (int)Math.Round(seconds / 60.0))}-minute";
}
