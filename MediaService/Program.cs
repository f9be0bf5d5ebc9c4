using Natter.MediaService;

var builder = WebApplication.CreateBuilder(args);
builder.AddMediaService();

var app = builder.Build();
app.MapMediaService();
app.Run();
