namespace TradeStat.Cli;

/// <summary>Process exit statuses.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int InvalidInput = 1;
    public const int Usage = 2;
    public const int IoError = 3;
}
