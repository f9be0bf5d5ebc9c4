namespace Natter.Sidecar.Hosting;

/// <summary>daprd's HTTP error body: {"errorCode": "ERR_...", "message": "..."}.</summary>
public static class ApiErrors
{
    public static IResult Error(int status, string errorCode, string message) =>
        Results.Json(new ApiError(errorCode, message), ApiErrorJsonContext.Default.ApiError, statusCode: status);
}

public sealed record ApiError(
    [property: System.Text.Json.Serialization.JsonPropertyName("errorCode")] string ErrorCode,
    [property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message);

[System.Text.Json.Serialization.JsonSerializable(typeof(ApiError))]
internal sealed partial class ApiErrorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
