namespace Natter.Sidecar.Health;

/// <summary>
/// daprd's health endpoints. Components are loaded before the listeners open, so once this answers at all the
/// sidecar is initialised: 204 for both, as daprd answers after initialisation.
/// </summary>
public static class HealthApi
{
    public static WebApplication MapHealthApi(this WebApplication app)
    {
        app.MapGet("/v1.0/healthz", () => Results.NoContent());
        app.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
        return app;
    }
}
