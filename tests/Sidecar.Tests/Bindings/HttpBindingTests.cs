using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Bindings;

/// <summary>
/// bindings.http output through the official SDK (gRPC InvokeBinding) and daprd's HTTP API, against a real HTTP
/// listener in this process. The component's url comes from secretstores.local.env through secretKeyRef, as the
/// committed push-webhook component does.
/// </summary>
public sealed class HttpBindingTests : IAsyncLifetime
{
    private readonly ResourcesFolder _resources = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private WebApplication _webhook = null!;
    private SidecarHost _sidecar = null!;

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private sealed record Received(string Method, string Path, string Body, IReadOnlyDictionary<string, string> Headers);

    public async Task InitializeAsync()
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        _webhook = builder.Build();
        _webhook.Use(async (context, next) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            _received.Enqueue(new Received(context.Request.Method, context.Request.Path.Value!, body,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            await next(context);
        });
        _webhook.Map("/hook/{*rest}", (HttpContext context) =>
        {
            context.Response.Headers["X-Reply"] = "yes";
            return Results.Json(new { ok = true }, statusCode: 201);
        });
        _webhook.Map("/status/{code:int}", (int code) => Results.Text("nope", statusCode: code));
        _webhook.Map("/slow", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), ct);
            return Results.Ok();
        });
        await _webhook.StartAsync();

        _resources.Write("secrets.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: envsecrets
            spec:
              type: secretstores.local.env
              version: v1
              metadata: []
            """);
        _resources.Write("hook.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: hook
            spec:
              type: bindings.http
              version: v1
              metadata:
                - name: url
                  secretKeyRef:
                    name: HOOK_URL
                    key: HOOK_URL
                - name: securityToken
                  value: "dev-token"
                - name: securityTokenHeader
                  value: "X-Hook-Token"
            auth:
              secretStore: envsecrets
            """);
        _resources.Write("quick.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: quick
            spec:
              type: bindings.http
              version: v1
              metadata:
                - name: url
                  value: "http://127.0.0.1:{port}"
                - name: responseTimeout
                  value: "300ms"
                - name: errorIfNot2XX
                  value: "false"
            """);
        var settings = new SidecarSettings("bindingapp", _resources.Path).WithEnvironment("HOOK_URL", $"http://127.0.0.1:{port}/hook");
        _sidecar = await SidecarHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _webhook.StopAsync();
        await _webhook.DisposeAsync();
        _resources.Dispose();
    }

    [Fact]
    public async Task Post_through_the_sdk_sends_data_path_and_capitalised_headers_and_returns_the_response_metadata()
    {
        using var dapr = _sidecar.CreateClient();
        var request = new BindingRequest("hook", "post")
        {
            Data = Encoding.UTF8.GetBytes("""{"n":3}"""),
            Metadata = { ["path"] = "/devices/a", ["X-Push-Kind"] = "summary", ["lowercase"] = "not-a-header" },
        };

        var response = await dapr.InvokeBindingAsync(request, Timeout());

        var sent = Assert.Single(_received);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/hook/devices/a", sent.Path);
        Assert.Equal("""{"n":3}""", sent.Body);
        Assert.Equal("summary", sent.Headers["X-Push-Kind"]);
        Assert.Equal("dev-token", sent.Headers["X-Hook-Token"]);
        Assert.StartsWith("application/json", sent.Headers["Content-Type"]);
        Assert.False(sent.Headers.ContainsKey("lowercase"));
        Assert.Equal("201", response.Metadata["statusCode"]);
        Assert.Equal("201 Created", response.Metadata["status"]);
        Assert.Equal("yes", response.Metadata["X-Reply"]);
        Assert.Equal("""{"ok":true}""", Encoding.UTF8.GetString(response.Data.Span));
    }

    [Theory]
    [InlineData("create", "POST", true)]
    [InlineData("put", "PUT", true)]
    [InlineData("patch", "PATCH", true)]
    [InlineData("get", "GET", false)]
    [InlineData("delete", "DELETE", false)]
    [InlineData("options", "OPTIONS", false)]
    [InlineData("head", "HEAD", false)]
    public async Task Each_operation_is_its_http_method_and_only_post_put_patch_carry_the_data(string operation, string method, bool carriesData)
    {
        using var dapr = _sidecar.CreateClient();

        await dapr.InvokeBindingAsync(new BindingRequest("hook", operation) { Data = "{\"x\":1}"u8.ToArray() }, Timeout());

        var sent = Assert.Single(_received);
        Assert.Equal(method, sent.Method);
        Assert.Equal(carriesData ? "{\"x\":1}" : "", sent.Body);
    }

    [Fact]
    public async Task A_non_2xx_answer_is_an_internal_error_naming_the_binding_and_the_status()
    {
        using var dapr = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprException>(() => dapr.InvokeBindingAsync(
            new BindingRequest("hook", "get") { Metadata = { ["path"] = "../status/404" } }, Timeout()));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Equal("error invoking output binding hook: received status code 404", rpc.Status.Detail);
    }

    [Fact]
    public async Task ErrorIfNot2XX_false_returns_the_answer_per_request_or_per_component()
    {
        using var dapr = _sidecar.CreateClient();

        var perRequest = await dapr.InvokeBindingAsync(new BindingRequest("hook", "get")
        {
            Metadata = { ["path"] = "../status/503", ["errorIfNot2XX"] = "false" },
        }, Timeout());
        var perComponent = await dapr.InvokeBindingAsync(new BindingRequest("quick", "get") { Metadata = { ["path"] = "status/409" } },
            Timeout());

        Assert.Equal("503", perRequest.Metadata["statusCode"]);
        Assert.Equal("nope", Encoding.UTF8.GetString(perRequest.Data.Span));
        Assert.Equal("409", perComponent.Metadata["statusCode"]);
    }

    [Fact]
    public async Task Unknown_binding_invalid_operation_and_response_timeout_are_errors()
    {
        using var dapr = _sidecar.CreateClient();
        var ct = Timeout();

        var unknown = await Assert.ThrowsAsync<DaprException>(() => dapr.InvokeBindingAsync(new BindingRequest("nosuch", "post"), ct));
        var invalid = await Assert.ThrowsAsync<DaprException>(() => dapr.InvokeBindingAsync(new BindingRequest("hook", "explode"), ct));
        var slow = await Assert.ThrowsAsync<DaprException>(() => dapr.InvokeBindingAsync(new BindingRequest("quick", "get") { Metadata = { ["path"] = "slow" } }, ct));

        Assert.Equal("error invoking output binding nosuch: couldn't find output binding nosuch", ((RpcException)unknown.InnerException!).Status.Detail);
        Assert.Equal("error invoking output binding hook: invalid operation: explode", ((RpcException)invalid.InnerException!).Status.Detail);
        Assert.Contains("deadline", ((RpcException)slow.InnerException!).Status.Detail);
    }

    [Fact]
    public async Task Http_api_posts_the_data_as_json_text_and_returns_data_and_metadata_headers()
    {
        using var http = _sidecar.CreateHttpClient();

        var response = await http.PostAsJsonAsync("/v1.0/bindings/hook",
            new { data = new { token = "t1", counts = new { c1 = 2 } }, metadata = new { path = "p" }, operation = "post" },
            Timeout());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("201", response.Headers.GetValues("metadata.statusCode").Single());
        Assert.Equal("""{"ok":true}""", await response.Content.ReadAsStringAsync(Timeout()));
        var sent = Assert.Single(_received);
        Assert.Equal("/hook/p", sent.Path);
        Assert.Equal("t1", JsonDocument.Parse(sent.Body).RootElement.GetProperty("token").GetString());
    }

    [Fact]
    public async Task Http_api_answers_500_err_invoke_output_binding_with_metadata_and_400_for_a_malformed_body()
    {
        using var http = _sidecar.CreateHttpClient();
        var ct = Timeout();

        var failed = await http.PutAsJsonAsync("/v1.0/bindings/hook", new { operation = "get", metadata = new { path = "../status/500" } }, ct);
        var malformed = await http.PostAsync("/v1.0/bindings/hook", new StringContent("{not json", Encoding.UTF8, "application/json"), ct);
        var badMetadata = await http.PostAsync("/v1.0/bindings/hook", new StringContent("""{"operation":"post","metadata":{"n":1}}""", Encoding.UTF8, "application/json"), ct);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("500", failed.Headers.GetValues("metadata.statusCode").Single());
        var error = JsonDocument.Parse(await failed.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.Equal("ERR_INVOKE_OUTPUT_BINDING", error.GetProperty("errorCode").GetString());
        Assert.Equal("error invoking output binding hook: received status code 500", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("ERR_MALFORMED_REQUEST", await malformed.Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.BadRequest, badMetadata.StatusCode);
    }
}
