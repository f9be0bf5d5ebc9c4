using Natter.WebClient;

var builder = WebApplication.CreateBuilder(args);
builder.AddWebClient();

var app = builder.Build();
app.MapWebClient();
app.Run();
