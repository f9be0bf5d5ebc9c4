using Grpc.Core;

namespace Natter.Sidecar.State;

/// <summary>
/// daprd's answers to a failed state call (pkg/api/grpc and pkg/api/http), in one place for both APIs:
/// save and delete map an etag mismatch to Aborted / 409 and an invalid etag to InvalidArgument / 400; everything
/// else, and every failure inside a transaction (etag mismatches included), is Internal / 500.
/// </summary>
public static class StateErrors
{
    public const string SaveCode = "ERR_STATE_SAVE";
    public const string DeleteCode = "ERR_STATE_DELETE";
    public const string TransactionCode = "ERR_STATE_TRANSACTION";

    public static (StatusCode Grpc, int Http) SaveOrDeleteStatus(Exception error) => error switch
    {
        EtagMismatchException => (StatusCode.Aborted, StatusCodes.Status409Conflict),
        EtagInvalidException => (StatusCode.InvalidArgument, StatusCodes.Status400BadRequest),
        _ => (StatusCode.Internal, StatusCodes.Status500InternalServerError),
    };

    public static string SaveMessage(string store, Exception error) => $"failed saving state in state store {store}: {error.Message}";

    public static string DeleteMessage(string key, Exception error) => $"failed deleting state with key {key}: {error.Message}";

    public static string TransactionMessage(Exception error) => $"error while executing state transaction: {error.Message}";

    /// <summary>
    /// A bulk save runs every item and reports one error, as daprd's errors.Join does: an etag error wins (the
    /// SDK's TrySaveStateAsync then returns false), else the first failure.
    /// </summary>
    public static async Task RunAllAsync(IReadOnlyList<Func<Task>> operations)
    {
        if (operations.Count == 1)
        {
            await operations[0]();
            return;
        }
        var tasks = operations.Select(o => o()).ToArray();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch
        {
            var errors = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).ToList();
            throw errors.FirstOrDefault(e => e is EtagMismatchException or EtagInvalidException) ?? errors[0];
        }
    }

    /// <summary>Which store failures become an API error; anything else (a bug) propagates.</summary>
    public static bool IsStoreFailure(Exception error) =>
        error is StateStoreException or StackExchange.Redis.RedisException or System.Data.Common.DbException or TimeoutException;
}
