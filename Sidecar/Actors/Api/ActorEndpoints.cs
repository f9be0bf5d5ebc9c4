using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Invocation;
using Natter.Sidecar.Actors.Reminders;
using Natter.Sidecar.Actors.State;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Actors.Api;

/// <summary>
/// The Dapr actor HTTP API for the app (/v1.0/actors/...) and its twin for peer sidecars (/internal/actors/...),
/// where the owner receives calls forwarded to it. Both run the same handlers; only the hop count differs.
/// </summary>
public static class ActorEndpoints
{
    private static readonly string[] PutOrPost = ["PUT", "POST"];

    public static void MapActorEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/v1.0/actors/{actorType}/{actorId}").AddEndpointFilter(AnswerMissingStore);
        MapRoutedCalls(api);
        api.MapGet("state/{key}", (string actorType, string actorId, string key, ActorStateApi state, CancellationToken ct) =>
            state.GetAsync(new ActorKey(actorType, actorId), key, ct));
        api.MapMethods("state", PutOrPost, async (HttpContext ctx, string actorType, string actorId, ActorStateApi state) =>
            await state.TransactAsync(new ActorKey(actorType, actorId), await ReadBodyAsync(ctx.Request), ctx.RequestAborted));
        api.MapGet("reminders/{name}", GetReminderAsync);

        var peers = endpoints.MapGroup(ActorForwarding.InternalPrefix + "/{actorType}/{actorId}")
            .AddEndpointFilter(RequirePeerToken)
            .ExcludeFromDescription();
        MapRoutedCalls(peers);
    }

    private static void MapRoutedCalls(RouteGroupBuilder group)
    {
        group.MapMethods("method/{method}", PutOrPost, (HttpContext ctx, string actorType, string actorId, string method) =>
            RouteAsync(ctx, new ActorKey(actorType, actorId), $"method/{Uri.EscapeDataString(method)}", HttpMethod.Put,
                (local, call, ct) => local.InvokeAsync(new ActorKey(actorType, actorId), method, call, ct)));
        group.MapMethods("reminders/{name}", PutOrPost, (HttpContext ctx, string actorType, string actorId, string name) =>
            RouteAsync(ctx, new ActorKey(actorType, actorId), $"reminders/{Uri.EscapeDataString(name)}", HttpMethod.Put,
                (local, call, ct) => local.RegisterReminderAsync(new ActorKey(actorType, actorId), name, call, ct)));
        group.MapDelete("reminders/{name}", (HttpContext ctx, string actorType, string actorId, string name) =>
            RouteAsync(ctx, new ActorKey(actorType, actorId), $"reminders/{Uri.EscapeDataString(name)}", HttpMethod.Delete,
                (local, _, ct) => local.UnregisterReminderAsync(new ActorKey(actorType, actorId), name, ct)));
        group.MapMethods("timers/{name}", PutOrPost, (HttpContext ctx, string actorType, string actorId, string name) =>
            RouteAsync(ctx, new ActorKey(actorType, actorId), $"timers/{Uri.EscapeDataString(name)}", HttpMethod.Put,
                (local, call, _) => local.RegisterTimerAsync(new ActorKey(actorType, actorId), name, call)));
        group.MapDelete("timers/{name}", (HttpContext ctx, string actorType, string actorId, string name) =>
            RouteAsync(ctx, new ActorKey(actorType, actorId), $"timers/{Uri.EscapeDataString(name)}", HttpMethod.Delete,
                (local, _, _) => local.UnregisterTimerAsync(new ActorKey(actorType, actorId), name)));
    }

    private static async Task RouteAsync(
        HttpContext ctx,
        ActorKey actor,
        string rest,
        HttpMethod forwardAs,
        Func<LocalActorCalls, ActorCall, CancellationToken, Task<ActorCallResult>> runHere)
    {
        var call = new ActorCall(ctx.Request.Method, await ReadBodyAsync(ctx.Request), ActorCallHeaders.From(ctx.Request.Headers));
        var hops = int.TryParse(ctx.Request.Headers[ActorForwarding.HopsHeader], CultureInfo.InvariantCulture, out var h) ? h : 0;
        var services = ctx.RequestServices;
        var local = services.GetRequiredService<LocalActorCalls>();
        var relative = $"{Uri.EscapeDataString(actor.Type)}/{Uri.EscapeDataString(actor.Id)}/{rest}";
        var result = await services.GetRequiredService<ActorRouter>()
            .RouteAsync(actor, forwardAs, relative, call, hops, ct => runHere(local, call, ct), ctx.RequestAborted);
        await WriteAsync(ctx.Response, result);
    }

    private static async Task<IResult> GetReminderAsync(string actorType, string actorId, string name, ActorReminders reminders, CancellationToken ct)
    {
        if (await reminders.GetAsync(new ActorKey(actorType, actorId), name, ct) is not { } reminder)
        {
            // daprd answers 200 with a JSON null: the SDK's GetReminderAsync turns that into null, while any
            // non-2xx status (404 included) makes it throw DaprApiException.
            return Results.Text("null", "application/json");
        }
        var body = new Dictionary<string, object?>
        {
            ["actorID"] = reminder.ActorId,
            ["actorType"] = actorType,
            ["name"] = reminder.Name,
            ["dueTime"] = reminder.DueTime ?? "",
            ["period"] = reminder.Period ?? "",
            ["data"] = reminder.Data,
        };
        if (reminder.Ttl is not null)
        {
            body["ttl"] = reminder.Ttl;
        }
        return Results.Json(body);
    }

    private static async Task WriteAsync(HttpResponse response, ActorCallResult result)
    {
        response.StatusCode = result.StatusCode;
        foreach (var (name, value) in result.Headers)
        {
            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                response.ContentType = value;
            }
            else
            {
                response.Headers[name] = value;
            }
        }
        if (result.Body.Length > 0)
        {
            response.ContentLength = result.Body.Length;
            await response.Body.WriteAsync(result.Body);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength is 0)
        {
            return [];
        }
        if (request.ContentLength is { } length and <= 16 * 1024 * 1024)
        {
            var buffer = new byte[length];
            await request.Body.ReadExactlyAsync(buffer, request.HttpContext.RequestAborted);
            return buffer;
        }
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy, request.HttpContext.RequestAborted);
        return copy.ToArray();
    }

    private static async ValueTask<object?> AnswerMissingStore(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ActorStateStoreMissingException ex)
        {
            return Results.Json(new { errorCode = "ERR_ACTOR_RUNTIME_NOT_FOUND", message = ex.Message },
                statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    private static async ValueTask<object?> RequirePeerToken(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var token = context.HttpContext.RequestServices.GetRequiredService<SidecarOptions>().ApiToken;
        if (token is { Length: > 0 })
        {
            var sent = context.HttpContext.Request.Headers["dapr-api-token"].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(token)))
            {
                return Results.Json(new { errorCode = "ERR_UNAUTHORIZED", message = "invalid api token" },
                    statusCode: StatusCodes.Status401Unauthorized);
            }
        }
        return await next(context);
    }
}
