namespace Natter.Sidecar.Actors.Invocation;

/// <summary>
/// An actor method call as it travels: body bytes and the headers that must reach the app untouched (remoting's
/// X-DaprRequestHeader, reentrancy id, trace context, content type).
/// </summary>
public sealed record ActorCall(string Method, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>The app's answer, passed back to the caller as is: status, body and headers such as X-DaprErrorResponseHeader.</summary>
public sealed record ActorCallResult(int StatusCode, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public static ActorCallResult NoContent { get; } = new(StatusCodes.Status204NoContent, [], []);

    /// <summary>daprd's error body, {"errorCode","message"}, which the SDK turns into DaprApiException.</summary>
    public static ActorCallResult Error(int status, string code, string message) => new(
        status,
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { errorCode = code, message }),
        [new("Content-Type", "application/json")]);
}

/// <summary>Which headers cross the sidecar on actor calls.</summary>
public static class ActorCallHeaders
{
    // Transport headers belong to each hop; the API token is per hop too (app->sidecar vs sidecar->app).
    private static readonly HashSet<string> PerHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Date", "Server",
        "Expect", "TE", "Trailer", "Proxy-Connection", "dapr-api-token", "Accept-Encoding",
        ActorForwarding.HopsHeader,
    };

    public static bool Passes(string name) => !PerHop.Contains(name);

    public static List<KeyValuePair<string, string>> From(IHeaderDictionary headers)
    {
        var list = new List<KeyValuePair<string, string>>(4);
        foreach (var (name, values) in headers)
        {
            if (Passes(name))
            {
                list.Add(new(name, values.ToString()));
            }
        }
        return list;
    }

    public static void CopyTo(IReadOnlyList<KeyValuePair<string, string>> headers, HttpRequestMessage request)
    {
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    public static List<KeyValuePair<string, string>> From(HttpResponseMessage response)
    {
        var list = new List<KeyValuePair<string, string>>(4);
        foreach (var (name, values) in response.Headers)
        {
            if (Passes(name))
            {
                list.Add(new(name, string.Join(",", values)));
            }
        }
        foreach (var (name, values) in response.Content.Headers)
        {
            if (Passes(name))
            {
                list.Add(new(name, string.Join(",", values)));
            }
        }
        return list;
    }
}
