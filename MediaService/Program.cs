using Natter.MediaService.Attachments;
using Natter.MediaService.Retention;
using Natter.MediaService.Storage;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNatterAuthentication();
builder.AddMediaStorage();
builder.AddAttachments();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAttachmentEndpoints();
app.MapCleanupBinding();
app.Run();
