using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Natter.Sidecar.Grpc;

namespace Natter.Sidecar.State;

/// <summary>The state methods of dapr.proto.runtime.v1.Dapr, with daprd's status codes (see <see cref="StateErrors"/>).</summary>
public sealed class StateGrpcService(StateStoreRegistry registry)
{
    private static readonly Empty EmptyReply = new();

    public async Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        var store = Store(request.StoreName);
        var entry = await store.GetAsync(registry.StoredKey(store.Name, request.Key), context.CancellationToken);
        return entry is null
            ? new GetStateResponse { Data = ByteString.Empty, Etag = "" }
            : new GetStateResponse { Data = UnsafeByteOperations.UnsafeWrap(entry.Value), Etag = entry.Etag };
    }

    public async Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context)
    {
        var store = Store(request.StoreName);
        var keys = request.Keys.Select(k => registry.StoredKey(store.Name, k)).ToArray();
        var entries = await store.GetBulkAsync(keys, context.CancellationToken);
        var response = new GetBulkStateResponse();
        for (var i = 0; i < keys.Length; i++)
        {
            response.Items.Add(entries[i] is { } entry
                ? new BulkStateItem { Key = request.Keys[i], Data = UnsafeByteOperations.UnsafeWrap(entry.Value), Etag = entry.Etag }
                : new BulkStateItem { Key = request.Keys[i] });
        }
        return response;
    }

    public async Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        var store = Store(request.StoreName);
        if (request.States.Any(item => item.Key.Length == 0))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "state key cannot be empty"));
        }
        var writes = request.States.Select(item => ToWrite(store, item)).ToArray();
        try
        {
            await StateErrors.RunAllAsync(writes.Select(w => (Func<Task>)(() => store.SetAsync(w, context.CancellationToken))).ToArray());
        }
        catch (Exception e) when (StateErrors.IsStoreFailure(e))
        {
            throw new RpcException(new Status(StateErrors.SaveOrDeleteStatus(e).Grpc, StateErrors.SaveMessage(store.Name, e)));
        }
        return EmptyReply;
    }

    public async Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        var store = Store(request.StoreName);
        try
        {
            await store.DeleteAsync(
                registry.StoredKey(store.Name, request.Key), request.Etag?.Value, Concurrency(request.Options), context.CancellationToken);
        }
        catch (Exception e) when (StateErrors.IsStoreFailure(e))
        {
            throw new RpcException(new Status(StateErrors.SaveOrDeleteStatus(e).Grpc, StateErrors.DeleteMessage(request.Key, e)));
        }
        return EmptyReply;
    }

    public async Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        var store = Store(request.StoreName);
        var operations = request.Operations.Select(op => op.OperationType switch
        {
            "upsert" => StateOperation.Upsert(ToWrite(store, op.Request)),
            "delete" => StateOperation.Delete(
                registry.StoredKey(store.Name, op.Request.Key), op.Request.Etag?.Value, Concurrency(op.Request.Options)),
            // daprd answers an unknown operation with Unimplemented.
            var other => throw new RpcException(new Status(StatusCode.Unimplemented, $"operation type {other} not supported")),
        }).ToArray();
        try
        {
            await store.TransactAsync(operations, context.CancellationToken);
        }
        catch (Exception e) when (StateErrors.IsStoreFailure(e))
        {
            // daprd reports every transaction failure as Internal, an etag mismatch included.
            throw new RpcException(new Status(StatusCode.Internal, StateErrors.TransactionMessage(e)));
        }
        return EmptyReply;
    }

    /// <summary>daprd's order and codes: no state store at all is FailedPrecondition, an unknown one InvalidArgument.</summary>
    private IStateStore Store(string name)
    {
        if (!registry.All.Any())
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"state store {name} is not configured"));
        }
        return registry.TryGet(name, out var store)
            ? store
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"state store {name} is not found"));
    }

    private StateWrite ToWrite(IStateStore store, StateItem item)
    {
        var ttlText = item.Metadata.TryGetValue(StateMetadata.TtlKey, out var t) ? t : null;
        if (!StateMetadata.TryParseTtl(ttlText, out var ttl))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"ttlInSeconds '{ttlText}' is not an integer of -1 or more"));
        }
        return new StateWrite(registry.StoredKey(store.Name, item.Key), item.Value.Memory, item.Etag?.Value, ttl, Concurrency(item.Options));
    }

    private static StateConcurrency Concurrency(StateOptions? options) => options?.Concurrency switch
    {
        StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite => StateConcurrency.FirstWrite,
        StateOptions.Types.StateConcurrency.ConcurrencyLastWrite => StateConcurrency.LastWrite,
        _ => StateConcurrency.Unspecified,
    };
}

public sealed class StateGrpcMethods : IServiceMethodProvider<StateGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<StateGrpcService> context)
    {
        context.AddUnaryMethod(DaprGrpcMethods.Unary<GetStateRequest, GetStateResponse>("GetState"), [], (s, r, c) => s.GetState(r, c));
        context.AddUnaryMethod(DaprGrpcMethods.Unary<GetBulkStateRequest, GetBulkStateResponse>("GetBulkState"), [], (s, r, c) => s.GetBulkState(r, c));
        context.AddUnaryMethod(DaprGrpcMethods.Unary<SaveStateRequest, Empty>("SaveState"), [], (s, r, c) => s.SaveState(r, c));
        context.AddUnaryMethod(DaprGrpcMethods.Unary<DeleteStateRequest, Empty>("DeleteState"), [], (s, r, c) => s.DeleteState(r, c));
        context.AddUnaryMethod(DaprGrpcMethods.Unary<ExecuteStateTransactionRequest, Empty>("ExecuteStateTransaction"), [], (s, r, c) => s.ExecuteStateTransaction(r, c));
    }
}
