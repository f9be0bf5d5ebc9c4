using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Natter.Contracts;
using Natter.Media;

namespace Microsoft.Extensions.Hosting;

public static class MediaApiExtensions
{
    /// <summary>
    /// Registers <see cref="MediaApiClient"/>: Media:BaseUrl is where MediaService listens (the AppHost passes it;
    /// a service-discovery name such as http://mediaservice works too), Media:InternalKey the shared service key.
    /// </summary>
    public static TBuilder AddMediaApiClient<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var section = builder.Configuration.GetSection("Media");
        builder.Services.AddHttpClient<MediaApiClient>(http =>
        {
            http.BaseAddress = new Uri(section["BaseUrl"] is { Length: > 0 } url ? url : "http://mediaservice");
            if (section["InternalKey"] is { Length: > 0 } key)
            {
                http.DefaultRequestHeaders.Add(MediaHeaders.InternalKey, key);
            }
        });
        return builder;
    }
}
