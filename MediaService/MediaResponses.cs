using Natter.MediaService.Attachments;

namespace Natter.MediaService;

/// <summary>What every MediaService response shares, ahead of authentication so that a 401 carries it too.</summary>
public static class MediaResponses
{
    public static WebApplication UseMediaResponses(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            // A browser must never guess a type other than the one declared (an "image" that sniffs as HTML).
            context.Response.Headers.XContentTypeOptions = "nosniff";
            try
            {
                await next(context);
            }
            catch (ChatMembershipUnavailableException e) when (!context.Response.HasStarted)
            {
                // Never allow a read blind: without an answer from the chat, the client retries.
                context.RequestServices.GetRequiredService<ILogger<ChatActorMembership>>().LogWarning(e, "Chat membership check failed");
                await MediaError.RetryLater("The chat service could not confirm membership; try again shortly.").ExecuteAsync(context);
            }
        });
        // Explicit, so that they run after the middleware above (WebApplication would otherwise put them first).
        app.UseWebClientCors();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
