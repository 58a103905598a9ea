using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StretchBot.Channels.Slack;

/// <summary>
/// Slack's request signing (v0): HMAC-SHA256 of <c>v0:{X-Slack-Request-Timestamp}:{raw body}</c> keyed with the
/// signing secret, sent as <c>X-Slack-Signature: v0=&lt;lowercase hex&gt;</c>. Checked over the exact bytes received,
/// before anything parses them, compared in constant time, with the timestamp within 5 minutes of our clock either way.
/// </summary>
public static class SlackSignature
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";

    /// <summary>How far a request's timestamp may be from our clock, either way.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>Null when the request is Slack's; otherwise why not (for the log only: the caller learns nothing).</summary>
    public static string? Check(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return "missing X-Slack-Request-Timestamp or X-Slack-Signature";
        }

        // Unix seconds, digits only: no sign, no spaces, no exponent.
        if (timestamp.Length > 12 || !timestamp.All(char.IsAsciiDigit)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return "malformed timestamp";
        }

        var age = now.ToUnixTimeSeconds() - seconds;
        if (Math.Abs(age) > Window.TotalSeconds)
        {
            return age > 0 ? "stale timestamp" : "timestamp in the future";
        }

        if (!signature.StartsWith("v0=", StringComparison.Ordinal) || signature.Length != 3 + 64)
        {
            return "not a v0 signature";
        }

        var expected = Compute(secret, timestamp, body);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? null
            : "signature mismatch";
    }

    /// <summary>The signature Slack would send for this body at this timestamp ("v0=…").</summary>
    public static string Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"v0:{timestamp}:");
        var basestring = new byte[prefix.Length + body.Length];
        prefix.CopyTo(basestring, 0);
        body.CopyTo(basestring.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), basestring);
        return "v0=" + Convert.ToHexStringLower(mac);
    }
}
