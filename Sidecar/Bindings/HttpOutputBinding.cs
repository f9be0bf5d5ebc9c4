using System.Net;
using System.Text;
using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Bindings;

/// <summary>What an output binding answers: the response data and metadata, and an error message when it failed.</summary>
public sealed record BindingResult(byte[] Data, IReadOnlyDictionary<string, string> Metadata, string? Error);

/// <summary>
/// A bindings.http output binding, as components-contrib documents it: the operation is the HTTP method ("create" is
/// POST), metadata "path" is appended to the component's url, metadata keys starting with a capital letter are request
/// headers, "errorIfNot2XX" (component default true, overridable per request) turns a non-2xx answer into an error, and
/// the response metadata carries "statusCode", "status" and every response header (repeated values joined by ", ").
/// </summary>
public sealed class HttpOutputBinding
{
    public static readonly string[] Operations = ["create", "get", "head", "post", "put", "patch", "delete", "options", "trace"];

    private const long DefaultMaxResponseBodySize = 100L << 20; // components-contrib's default, 100 MB

    private readonly Uri _url;
    private readonly bool _errorIfNot2XX;
    private readonly TimeSpan? _responseTimeout;
    private readonly long _maxResponseBodySize;
    private readonly (string Header, string Value)? _securityToken;
    private readonly HttpClient _http;

    private HttpOutputBinding(string name, Uri url, bool errorIfNot2XX, TimeSpan? responseTimeout, long maxResponseBodySize,
        (string, string)? securityToken)
    {
        Name = name;
        _url = url;
        _errorIfNot2XX = errorIfNot2XX;
        _responseTimeout = responseTimeout;
        _maxResponseBodySize = maxResponseBodySize;
        _securityToken = securityToken;
        // No client-wide timeout: responseTimeout applies per request, as in daprd; the dial gives up after 15 s as there.
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15), AllowAutoRedirect = true })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public string Name { get; }

    public static HttpOutputBinding From(ComponentSpec spec)
    {
        var url = spec.Required("url");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ComponentFileException(spec.SourceFile, "spec.metadata[url]", $"'{url}' is not an absolute http(s) URL");
        }
        foreach (var unsupported in new[] { "MTLSRootCA", "MTLSClientCert", "MTLSClientKey", "mtlsRootCA", "mtlsClientCert", "mtlsClientKey", "mtlsRenegotiation" })
        {
            if (!string.IsNullOrEmpty(spec.Get(unsupported)))
            {
                throw new ComponentFileException(spec.SourceFile, $"spec.metadata[{unsupported}]", "mTLS is not served by the local sidecar (use daprd)");
            }
        }
        TimeSpan? timeout = string.IsNullOrEmpty(spec.Get("responseTimeout")) ? null : spec.GetDuration("responseTimeout", TimeSpan.Zero);
        var maxBody = spec.Get("maxResponseBodySize") is { Length: > 0 } text
            ? ResourceQuantity.ParseBytes(text) ?? throw new ComponentFileException(spec.SourceFile, "spec.metadata[maxResponseBodySize]", $"'{text}' is not a byte size like 1048576 or 1Mi")
            : DefaultMaxResponseBodySize;
        var token = spec.Get("securityToken") is { Length: > 0 } t && spec.Get("securityTokenHeader") is { Length: > 0 } h ? (h, t) : ((string, string)?)null;
        return new HttpOutputBinding(spec.Name, uri, IsTruthy(spec.Get("errorIfNot2XX"), fallback: true), timeout, maxBody, token);
    }

    /// <summary>Sends the request; an unknown operation, a transport failure or (unless suppressed) a non-2xx answer is an error.</summary>
    public async Task<BindingResult> InvokeAsync(ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata, string operation, CancellationToken ct)
    {
        var method = operation.ToUpperInvariant() switch
        {
            "CREATE" or "POST" => HttpMethod.Post,
            "PUT" => HttpMethod.Put,
            "PATCH" => HttpMethod.Patch,
            "GET" => HttpMethod.Get,
            "HEAD" => HttpMethod.Head,
            "DELETE" => HttpMethod.Delete,
            "OPTIONS" => HttpMethod.Options,
            "TRACE" => HttpMethod.Trace,
            _ => null,
        };
        if (method is null)
        {
            return Failed($"invalid operation: {operation}");
        }
        var url = _url.AbsoluteUri;
        if (metadata.TryGetValue("path", out var path) && path.Length > 0)
        {
            url = url.TrimEnd('/') + "/" + path.TrimStart('/');
        }
        var errorIfNot2XX = metadata.TryGetValue("errorIfNot2XX", out var perRequest) && perRequest.Length > 0
            ? IsTruthy(perRequest, fallback: true)
            : _errorIfNot2XX;

        using var request = new HttpRequestMessage(method, url);
        // Only POST, PUT and PATCH carry the data, as in components-contrib.
        if (method == HttpMethod.Post || method == HttpMethod.Put || method == HttpMethod.Patch)
        {
            request.Content = new ReadOnlyMemoryContent(data);
            if (!metadata.ContainsKey("Content-Type"))
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
            }
        }
        if (!metadata.ContainsKey("Accept"))
        {
            request.Headers.TryAddWithoutValidation("Accept", "application/json; charset=utf-8");
        }
        if (_securityToken is var (header, value))
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }
        foreach (var (key, headerValue) in metadata)
        {
            // Keys starting with a capital letter are headers; lower-case keys (path, traceparent, ...) are not.
            if (key.Length > 0 && char.IsAsciiLetterUpper(key[0]))
            {
                SetHeader(request, key, headerValue);
            }
        }
        foreach (var trace in new[] { "traceparent", "tracestate", "baggage" })
        {
            if (metadata.TryGetValue(trace, out var traceValue) && traceValue.Length > 0)
            {
                request.Headers.Remove(trace);
                request.Headers.TryAddWithoutValidation(trace, traceValue);
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (_responseTimeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var body = await ReadLimitedAsync(response, timeout.Token);
            var answer = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["statusCode"] = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["status"] = $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd(),
            };
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                answer[CanonicalHeader(name)] = string.Join(", ", values);
            }
            var error = errorIfNot2XX && (int)response.StatusCode / 100 != 2 ? $"received status code {(int)response.StatusCode}" : null;
            return new BindingResult(body, answer, error);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed($"{method} {url}: context deadline exceeded (responseTimeout {_responseTimeout})");
        }
        catch (HttpRequestException e)
        {
            return Failed($"{method} {url}: {e.Message}");
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        // Like io.LimitReader: a longer body is cut at the limit, not refused.
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((_maxResponseBodySize <= 0 || buffer.Length < _maxResponseBodySize) && (read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            var keep = _maxResponseBodySize <= 0 ? read : (int)Math.Min(read, _maxResponseBodySize - buffer.Length);
            buffer.Write(chunk, 0, keep);
        }
        return buffer.ToArray();
    }

    private static void SetHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        if (!request.Headers.TryAddWithoutValidation(name, value))
        {
            // Content headers (Content-Type, ...) live on the content; a body-less request has none to carry them.
            request.Content?.Headers.Remove(name);
            request.Content?.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>Go's http.Header keys are canonical: "content-type" becomes "Content-Type".</summary>
    private static string CanonicalHeader(string name)
    {
        var builder = new StringBuilder(name.Length);
        var upper = true;
        foreach (var c in name)
        {
            builder.Append(upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            upper = c == '-';
        }
        return builder.ToString();
    }

    /// <summary>dapr/kit's IsTruthy: y, yes, true, t, on, 1 (any case) are true; anything else is false.</summary>
    private static bool IsTruthy(string? value, bool fallback) => string.IsNullOrEmpty(value)
        ? fallback
        : value.Trim().ToLowerInvariant() is "y" or "yes" or "true" or "t" or "on" or "1";

    private static BindingResult Failed(string error) => new([], new Dictionary<string, string>(), error);
}
