using Natter.ChatService;

var builder = WebApplication.CreateBuilder(args);
builder.AddChatService();

var app = builder.Build();
app.MapChatService();
app.Run();
