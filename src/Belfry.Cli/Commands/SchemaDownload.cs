namespace Belfry.Cli.Commands;

/// <summary>Downloads a schema file with a time limit and a size bound, so a slow or endless answer cannot hang or fill the disk.</summary>
static class SchemaDownload
{
    public static async Task ToFileAsync(Uri uri, string path, long maxBytes, TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = timeout, MaxResponseContentBufferSize = int.MaxValue };
        using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        if (response.Content.Headers.ContentLength is > 0 and var declared && declared > maxBytes)
        {
            throw new IOException($"the answer is {declared} bytes, more than the {maxBytes} accepted");
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        await using var body = await response.Content.ReadAsStreamAsync(timer.Token);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long total = 0;
        while (true)
        {
            var n = await body.ReadAsync(buffer, timer.Token);
            if (n == 0)
            {
                break;
            }
            total += n;
            if (total > maxBytes)
            {
                throw new IOException($"the answer is longer than the {maxBytes} bytes accepted");
            }
            await file.WriteAsync(buffer.AsMemory(0, n), timer.Token);
        }
    }
}
