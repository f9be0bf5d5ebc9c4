using System.Text.Json;

namespace Natter.Sidecar.Hosting;

/// <summary>
/// Bodies the HTTP API cannot read get daprd's answer, 400 ERR_MALFORMED_REQUEST, instead of a 500 with a stack
/// trace: JSON that does not parse, and a body over --max-body-size. daprd reads such a body through a limit that
/// fails with "stream too large", which its JSON decoder reports as a malformed request.
/// </summary>
public static class RequestBodyErrors
{
    public static WebApplication UseRequestBodyErrors(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception ex) when (!context.Response.HasStarted && IsBodyError(ex, out var message))
            {
                context.Response.Clear();
                await ApiErrors.Error(StatusCodes.Status400BadRequest, "ERR_MALFORMED_REQUEST", message).ExecuteAsync(context);
            }
        });
        return app;
    }

    private static bool IsBodyError(Exception ex, out string message)
    {
        switch (ex)
        {
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                message = "failed deserializing HTTP body: stream too large";
                return true;
            case JsonException json:
                message = $"failed deserializing HTTP body: {json.Message}";
                return true;
            default:
                message = "";
                return false;
        }
    }
}
