namespace StretchBot.Tests.Infrastructure;

/// <summary>
/// Sends the app's requests for a platform's production hosts to a loopback fake, keeping the path and query exactly
/// as escaped and the original Host header: the app keeps its production URLs and the fakes see what the platform would.
/// </summary>
public sealed class HostRewriteHandler(Uri fake, IReadOnlyCollection<string> hosts) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri && hosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
        {
            request.Headers.Host = uri.Host;
            request.RequestUri = new Uri($"{fake.Scheme}://{fake.Authority}{uri.PathAndQuery}");
        }

        return base.SendAsync(request, cancellationToken);
    }
}
