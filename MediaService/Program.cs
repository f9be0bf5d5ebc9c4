using Natter.MediaService.Attachments;
using Natter.MediaService.Retention;
using Natter.MediaService.Storage;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNatterAuthentication();
builder.AddNatterClock();
builder.AddMediaStorage();
builder.AddAttachments();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapNatterClock();
app.MapAttachmentEndpoints();
app.MapCleanupBinding();
app.Run();
