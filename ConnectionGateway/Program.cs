using Natter.ConnectionGateway.Connections;
using Natter.ConnectionGateway.Deliveries;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNatterAuthentication();
builder.AddNatterClock();
builder.AddMediaApiClient();
builder.AddClientConnections();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapDevelopmentTokens();
app.MapNatterClock();
app.MapDeliveries();
app.MapClientConnections();
app.Run();
