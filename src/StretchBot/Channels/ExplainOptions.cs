using Microsoft.Extensions.Options;

namespace StretchBot.Channels;

/// <summary>
/// A channel's settings checked by the channel's own <c>Problem()</c>, which says exactly what to fix: the message of
/// the one-line start-up error.
/// </summary>
public sealed class ExplainOptions<T>(Func<T, string?> problem) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options) =>
        problem(options) is { } found ? ValidateOptionsResult.Fail(found) : ValidateOptionsResult.Success;
}
