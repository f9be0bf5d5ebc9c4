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

    // Plain RequestDelegates (no parameter binding, no endpoint filters): nothing is code-generated when routing is
    // first built, which keeps a fresh sidecar's first answer fast. ASP0016 misreads the inner lambdas handed to
    // AnswerAsync/RouteAsync as the request delegates; the outer ones do write the response.
#pragma warning disable ASP0016
    public static void MapActorEndpoints(this IEndpointRouteBuilder endpoints)
    {
        const string api = "/v1.0/actors/{actorType}/{actorId}/";
        MapRoutedCalls(endpoints, api, fromPeer: false);
        endpoints.MapGet(api + "state/{key}", ctx => AnswerAsync(ctx, c =>
            c.RequestServices.GetRequiredService<ActorStateApi>().GetAsync(Actor(c), Route(c, "key"), c.RequestAborted)));
        endpoints.MapMethods(api + "state", PutOrPost, ctx => AnswerAsync(ctx, async c =>
            await c.RequestServices.GetRequiredService<ActorStateApi>().TransactAsync(Actor(c), await ReadBodyAsync(c.Request), c.RequestAborted)));
        endpoints.MapGet(api + "reminders/{name}", ctx => AnswerAsync(ctx, GetReminderAsync));
        MapRoutedCalls(endpoints, ActorForwarding.InternalPrefix + "/{actorType}/{actorId}/", fromPeer: true);
        endpoints.MapPut(ActorForwarding.InternalPrefix + "/{actorType}/{actorId}/drain", DrainAsync);
    }

    private static void MapRoutedCalls(IEndpointRouteBuilder endpoints, string prefix, bool fromPeer)
    {
        endpoints.MapMethods(prefix + "method/{name}", PutOrPost, ctx => RouteAsync(ctx, fromPeer, "method", HttpMethod.Put,
            (local, actor, name, call, ct) => local.InvokeAsync(actor, name, call, ct)));
        endpoints.MapMethods(prefix + "reminders/{name}", PutOrPost, ctx => RouteAsync(ctx, fromPeer, "reminders", HttpMethod.Put,
            (local, actor, name, call, ct) => local.RegisterReminderAsync(actor, name, call, ct)));
        endpoints.MapDelete(prefix + "reminders/{name}", ctx => RouteAsync(ctx, fromPeer, "reminders", HttpMethod.Delete,
            (local, actor, name, _, ct) => local.UnregisterReminderAsync(actor, name, ct)));
        endpoints.MapMethods(prefix + "timers/{name}", PutOrPost, ctx => RouteAsync(ctx, fromPeer, "timers", HttpMethod.Put,
            (local, actor, name, call, _) => local.RegisterTimerAsync(actor, name, call)));
        endpoints.MapDelete(prefix + "timers/{name}", ctx => RouteAsync(ctx, fromPeer, "timers", HttpMethod.Delete,
            (local, actor, name, _, _) => local.UnregisterTimerAsync(actor, name)));
    }

#pragma warning restore ASP0016

    private static ActorKey Actor(HttpContext ctx) => new(Route(ctx, "actorType"), Route(ctx, "actorId"));

    private static string Route(HttpContext ctx, string name) => (string)ctx.Request.RouteValues[name]!;

    private static async Task AnswerAsync(HttpContext ctx, Func<HttpContext, Task<IResult>> handler)
    {
        IResult result;
        try
        {
            result = await handler(ctx);
        }
        catch (ActorStateStoreMissingException ex)
        {
            result = Results.Json(new { errorCode = "ERR_ACTOR_RUNTIME_NOT_FOUND", message = ex.Message },
                statusCode: StatusCodes.Status500InternalServerError);
        }
        await result.ExecuteAsync(ctx);
    }

    private static async Task RouteAsync(
        HttpContext ctx,
        bool fromPeer,
        string kind,
        HttpMethod forwardAs,
        Func<LocalActorCalls, ActorKey, string, ActorCall, CancellationToken, Task<ActorCallResult>> runHere)
    {
        var services = ctx.RequestServices;
        if (fromPeer && !PeerTokenMatches(ctx))
        {
            await Results.Json(new { errorCode = "ERR_UNAUTHORIZED", message = "invalid api token" },
                statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(ctx);
            return;
        }
        var actor = Actor(ctx);
        var name = Route(ctx, "name");
        var call = new ActorCall(ctx.Request.Method, await ReadBodyAsync(ctx.Request), ActorCallHeaders.From(ctx.Request.Headers));
        var hops = fromPeer && int.TryParse(ctx.Request.Headers[ActorForwarding.HopsHeader], CultureInfo.InvariantCulture, out var h) ? h : 0;
        var local = services.GetRequiredService<LocalActorCalls>();
        var relative = $"{Uri.EscapeDataString(actor.Type)}/{Uri.EscapeDataString(actor.Id)}/{kind}/{Uri.EscapeDataString(name)}";
        ActorCallResult result;
        try
        {
            result = await services.GetRequiredService<ActorRouter>()
                .RouteAsync(actor, forwardAs, relative, call, hops, ct => runHere(local, actor, name, call, ct), ctx.RequestAborted);
        }
        catch (ActorStateStoreMissingException ex)
        {
            result = ActorCallResult.Error(StatusCodes.Status500InternalServerError, "ERR_ACTOR_RUNTIME_NOT_FOUND", ex.Message);
        }
        await WriteAsync(ctx.Response, result);
    }

    // A new owner asks this host, a previous owner, to hand the actor over (see ActorHandoff). The table is re-read
    // first, so calls that queued here for the actor are routed to the new owner once the running turn returns.
    private static async Task DrainAsync(HttpContext ctx)
    {
        if (!PeerTokenMatches(ctx))
        {
            await Results.Json(new { errorCode = "ERR_UNAUTHORIZED", message = "invalid api token" },
                statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(ctx);
            return;
        }
        var services = ctx.RequestServices;
        var placement = services.GetRequiredService<Placement.ActorPlacement>();
        if (ctx.Request.Headers[ActorForwarding.InstanceHeader] is [{ } meantFor] && meantFor != placement.InstanceId)
        {
            // The host that was asked is gone; this is its successor on the same address, which never ran the actor's
            // turns under the old table. 410 tells the new owner the previous one is dead.
            await Results.Json(new { errorCode = "ERR_ACTOR_INSTANCE_GONE", message = $"sidecar instance {meantFor} is not running here" },
                statusCode: StatusCodes.Status410Gone).ExecuteAsync(ctx);
            return;
        }
        var timeout = services.GetRequiredService<Configuration.ActorTypesRegistry>().Config.DrainOngoingCallTimeout;
        using (var refresh = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted))
        {
            refresh.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await placement.RefreshAsync(refresh.Token);
            }
            catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
            {
                // Placement store unreachable: drain anyway, the lease check stops this host from serving stale turns.
            }
        }
        await services.GetRequiredService<ActiveActors>().DrainAsync(Actor(ctx), timeout, ctx.RequestAborted);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task<IResult> GetReminderAsync(HttpContext ctx)
    {
        var reminders = ctx.RequestServices.GetRequiredService<ActorReminders>();
        var (actorType, actorId, name) = (Route(ctx, "actorType"), Route(ctx, "actorId"), Route(ctx, "name"));
        if (await reminders.GetAsync(new ActorKey(actorType, actorId), name, ctx.RequestAborted) is not { } reminder)
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

    private static bool PeerTokenMatches(HttpContext ctx)
    {
        // The global API token middleware guards these paths too; checked here as well so the peer endpoint never
        // depends on how the application is composed.
        var token = ctx.RequestServices.GetRequiredService<SidecarOptions>().ApiToken;
        if (token is not { Length: > 0 })
        {
            return true;
        }
        var sent = ctx.Request.Headers["dapr-api-token"].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(token));
    }
}
