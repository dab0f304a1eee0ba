using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Propeller.Proxy.Oci;

/// <summary>
/// Answers registry challenges. Requests go out anonymously until a host answers 401; its
/// <c>WWW-Authenticate</c> challenge is then remembered so later requests authenticate up front.
/// Basic → the host's username and password. Bearer → a token from the challenge's realm for
/// <c>repository:&lt;repo&gt;:pull</c> (or <c>pull,push</c>), fetched with the basic credential when there is one
/// and anonymously otherwise, cached per host and scope until <c>expires_in</c> (default 60 s) minus a margin.
/// A credential with only a token is sent as <c>Authorization: Bearer &lt;token&gt;</c> without a token request.
/// </summary>
internal sealed class RegistryAuthenticator
{
    private const int MaxTokenResponse = 1024 * 1024;
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxRefreshMargin = TimeSpan.FromSeconds(10);

    private readonly OciClientOptions _options;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Host, string Scope), CachedToken> _tokens = new();

    public RegistryAuthenticator(OciClientOptions options, HttpClient http, ILogger logger, TimeProvider? time = null)
    {
        _options = options;
        _http = http;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The token scope for <paramref name="reference"/>'s repository.</summary>
    public static string ScopeFor(OciReference reference, bool push) =>
        $"repository:{reference.Repository}:{(push ? "pull,push" : "pull")}";

    /// <summary>The configured credential for <paramref name="registry"/>, matched by normalised name.</summary>
    public OciCredential? CredentialFor(string registry)
    {
        var wanted = OciEndpoint.NormalizeRegistry(registry);
        return _options.Credentials.FirstOrDefault(c => OciEndpoint.NormalizeRegistry(c.Registry) == wanted);
    }

    /// <summary>The header for a first attempt: known from an earlier challenge of the host, or null (anonymous).</summary>
    public Task<AuthenticationHeaderValue?> BeforeRequestAsync(OciReference reference, string scope, CancellationToken cancellationToken)
    {
        if (_tokens.TryGetValue((reference.ApiHost, scope), out var cached) && cached.ExpiresAt > _time.GetUtcNow())
        {
            return Task.FromResult<AuthenticationHeaderValue?>(new("Bearer", cached.Token));
        }

        return _challenges.TryGetValue(reference.ApiHost, out var challenge)
            ? AnswerAsync(reference, scope, challenge, cancellationToken)
            : Task.FromResult<AuthenticationHeaderValue?>(null);
    }

    /// <summary>
    /// The header answering the 401 <paramref name="challenge"/>, or null when there is nothing to answer with
    /// (no credential for a Basic challenge, or an unknown scheme).
    /// </summary>
    /// <exception cref="OciRegistryException">The token service refused or could not be reached.</exception>
    public Task<AuthenticationHeaderValue?> AfterChallengeAsync(OciReference reference, string scope, AuthChallenge challenge, CancellationToken cancellationToken)
    {
        Log(challenge, reference.ApiHost);
        _challenges[reference.ApiHost] = challenge;
        _tokens.TryRemove((reference.ApiHost, scope), out _);
        return AnswerAsync(reference, scope, challenge, cancellationToken);
    }

    private void Log(AuthChallenge challenge, string host)
    {
        if (!_challenges.TryGetValue(host, out var known) || known.Scheme != challenge.Scheme || known.Realm != challenge.Realm || known.Service != challenge.Service)
        {
            OciRegistryClient.LogChallenge(_logger, host, challenge);
        }
    }

    private async Task<AuthenticationHeaderValue?> AnswerAsync(OciReference reference, string scope, AuthChallenge challenge, CancellationToken cancellationToken)
    {
        var credential = CredentialFor(reference.Registry);
        var hasBasic = credential is { Username.Length: > 0, Password.Length: > 0 };
        if (!hasBasic && credential is { Token.Length: > 0 })
        {
            return new AuthenticationHeaderValue("Bearer", credential.Token);
        }

        if (challenge.IsBasic)
        {
            return hasBasic ? Basic(credential!) : null;
        }

        if (!challenge.IsBearer)
        {
            return null;
        }

        var token = await FetchTokenAsync(reference, scope, challenge, hasBasic ? credential : null, cancellationToken).ConfigureAwait(false);
        return new AuthenticationHeaderValue("Bearer", token);
    }

    private async Task<string> FetchTokenAsync(OciReference reference, string scope, AuthChallenge challenge, OciCredential? credential, CancellationToken cancellationToken)
    {
        var denied = $"registry {reference.Registry} denied access to {OciRegistryClient.Describe(reference)}";
        if (string.IsNullOrEmpty(challenge.Realm) || !Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm)
            || (realm.Scheme != Uri.UriSchemeHttp && realm.Scheme != Uri.UriSchemeHttps))
        {
            throw new OciRegistryException($"{denied}: its Bearer challenge names no usable token realm ('{challenge.Realm}')");
        }

        var query = new StringBuilder();
        if (!string.IsNullOrEmpty(challenge.Service))
        {
            query.Append("service=").Append(Uri.EscapeDataString(challenge.Service));
        }

        foreach (var wanted in new[] { scope, challenge.Scope }.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal))
        {
            query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(wanted!));
        }

        var uri = new UriBuilder(realm)
        {
            Query = string.IsNullOrEmpty(realm.Query) ? query.ToString() : realm.Query.TrimStart('?') + "&" + query,
        }.Uri;

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (credential is not null)
        {
            request.Headers.Authorization = Basic(credential);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OciRegistryException($"{denied}: token service {realm.GetLeftPart(UriPartial.Path)} did not answer within {_options.RequestTimeout.TotalSeconds:0.#} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new OciRegistryException($"{denied}: cannot reach token service {realm.GetLeftPart(UriPartial.Path)}: {OciRegistryClient.NetworkErrorText(ex)}", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var detail = await RegistryErrorText.DetailAsync(response, cancellationToken).ConfigureAwait(false);
                var hint = credential is null && RegistryErrorText.IsDenied(response.StatusCode)
                    ? $"; no credentials are configured for {reference.Registry}"
                    : "";
                throw new OciRegistryException($"{denied}: token service {realm.GetLeftPart(UriPartial.Path)} answered {RegistryErrorText.Status(response)}{detail}{hint}");
            }

            OciTokenDocument? document;
            try
            {
                var body = await OciRegistryClient.ReadBoundedAsync(response.Content, MaxTokenResponse, "token response", cancellationToken).ConfigureAwait(false);
                document = JsonSerializer.Deserialize(body, OciJsonContext.Default.OciTokenDocument);
            }
            catch (JsonException ex)
            {
                throw new OciRegistryException($"{denied}: token service {realm.GetLeftPart(UriPartial.Path)} returned invalid JSON ({ex.Message})", ex);
            }

            var token = document?.Token is { Length: > 0 } t ? t : document?.AccessToken;
            if (string.IsNullOrEmpty(token))
            {
                throw new OciRegistryException($"{denied}: token service {realm.GetLeftPart(UriPartial.Path)} returned no token");
            }

            var lifetime = document!.ExpiresIn is > 0 ? TimeSpan.FromSeconds(document.ExpiresIn.Value) : DefaultTokenLifetime;
            var margin = TimeSpan.FromTicks(Math.Min(MaxRefreshMargin.Ticks, lifetime.Ticks / 2));
            _tokens[(reference.ApiHost, scope)] = new CachedToken(token, _time.GetUtcNow() + lifetime - margin);
            OciRegistryClient.LogToken(_logger, realm.GetLeftPart(UriPartial.Path), scope, reference.ApiHost, lifetime - margin, credential is null ? "anonymous" : "with credentials");
            return token;
        }
    }

    private static AuthenticationHeaderValue Basic(OciCredential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);
}
