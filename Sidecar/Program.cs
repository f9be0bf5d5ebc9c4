var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/v1.0/healthz", () => Results.NoContent());
app.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
app.Run();
