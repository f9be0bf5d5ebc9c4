using Natter.Sidecar.Actors;

var builder = WebApplication.CreateBuilder(args);
builder.AddActors();
var app = builder.Build();
app.MapGet("/v1.0/healthz", () => Results.NoContent());
app.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
app.MapActorsApi();
app.Run();
