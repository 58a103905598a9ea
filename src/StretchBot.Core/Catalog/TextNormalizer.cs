using System.Text;

namespace StretchBot.Catalog;

/// <summary>Turns what people type ("Child's Pose!", "knee-to-chest") into comparable words.</summary>
internal static class TextNormalizer
{
    public static string[] Words(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (c is '\'' or '\u2019' or '\u2018' or '`')
            {
                // "child's" and "childs" are the same word to the person typing it.
                continue;
            }
            else
            {
                builder.Append(' ');
            }
        }

        return builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Crude singular form: enough for "hips"/"hip", "calves"/"calf", "stretches"/"stretch".</summary>
    public static string Singular(string word)
    {
        if (word.Length > 4 && word.EndsWith("ves", StringComparison.Ordinal))
        {
            return word[..^3] + "f";
        }

        if (word.Length > 4 && (word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal)))
        {
            return word[..^2];
        }

        if (word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal))
        {
            return word[..^1];
        }

        return word;
    }
}
