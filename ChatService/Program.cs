using Natter.ChatService.Chats;
using Natter.ChatService.Cleanup;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNatterClock();
builder.AddMediaApiClient();
builder.AddChats();
builder.AddCleanup();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapNatterClock();
app.MapChats();
app.MapCleanup();
app.Run();
