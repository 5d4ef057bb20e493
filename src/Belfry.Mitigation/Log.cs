using Microsoft.Extensions.Logging;

namespace Belfry.Mitigation;

static partial class Log
{
    const int Base = 6000;

    [LoggerMessage(EventId = Base + 1, Level = LogLevel.Information, Message = "Announced {Mitigation}: {Reason}")]
    public static partial void Announced(ILogger logger, string mitigation, string reason);

    [LoggerMessage(EventId = Base + 2, Level = LogLevel.Information, Message = "Withdrew {Mitigation}")]
    public static partial void Withdrawn(ILogger logger, string mitigation);

    [LoggerMessage(EventId = Base + 3, Level = LogLevel.Debug, Message = "Running {Command}")]
    public static partial void Running(ILogger logger, CommandText command);

    [LoggerMessage(EventId = Base + 4, Level = LogLevel.Warning, Message = "{Mitigation} is no longer in gobgpd's RIB")]
    public static partial void Lost(ILogger logger, string mitigation);

    [LoggerMessage(EventId = Base + 5, Level = LogLevel.Information, Message = "Dry run: would run {Command}")]
    public static partial void DryRun(ILogger logger, string command);

    [LoggerMessage(EventId = Base + 6, Level = LogLevel.Warning, Message = "Refused {Kind} for {Target}: {Reason}")]
    public static partial void Refused(ILogger logger, string kind, string target, string reason);

    [LoggerMessage(EventId = Base + 7, Level = LogLevel.Error, Message = "Mitigation {Mitigation} failed: {Error}")]
    public static partial void Failed(ILogger logger, string mitigation, string error);

    [LoggerMessage(EventId = Base + 8, Level = LogLevel.Information, Message = "Attack {AttackId} on {Target} has no Flowspec rule for vector {Vector}")]
    public static partial void NoRuleForVector(ILogger logger, string attackId, Belfry.Core.Net.NetPrefix target, string vector);

    [LoggerMessage(EventId = Base + 9, Level = LogLevel.Warning, Message = "Announced {Mitigation} again: it was missing from gobgpd's RIB")]
    public static partial void Reannounced(ILogger logger, string mitigation);

    [LoggerMessage(EventId = Base + 10, Level = LogLevel.Information, Message = "The router answers again after {Failures} failed calls; checking its RIB")]
    public static partial void RouterBack(ILogger logger, int failures);

    [LoggerMessage(EventId = Base + 11, Level = LogLevel.Error, Message = "Mitigation store: {Operation} failed: {Error}")]
    public static partial void StoreFailed(ILogger logger, string operation, string error);

    [LoggerMessage(EventId = Base + 12, Level = LogLevel.Information, Message = "Took over {Count} routes from the mitigation store")]
    public static partial void Reconciled(ILogger logger, int count);
}

/// <summary>A command line formatted only when a log line is written.</summary>
readonly record struct CommandText(string Program, IReadOnlyList<string> Arguments)
{
    public override string ToString() => GoBgp.GoBgpCommand.ToDisplayString(Program, Arguments);
}
