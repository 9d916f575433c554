
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'incident' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'incident'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'incident' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('declare', 'declare', [CompletionResultType]::ParameterValue, 'Open an incident and print its key')
            [CompletionResult]::new('assess', 'assess', [CompletionResultType]::ParameterValue, 'Triage: impact questions, the CIA checklist, and the severity')
            [CompletionResult]::new('assign-role', 'assign-role', [CompletionResultType]::ParameterValue, 'Delegate a role (commander, scribe, …) or hand it over')
            [CompletionResult]::new('escalate', 'escalate', [CompletionResultType]::ParameterValue, 'Page more people, and raise the severity if needed')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Add to the timeline: a note, decision, action, evidence or status update')
            [CompletionResult]::new('resolve', 'resolve', [CompletionResultType]::ParameterValue, 'Mark an incident resolved: service restored for everyone')
            [CompletionResult]::new('retro', 'retro', [CompletionResultType]::ParameterValue, 'The retrospective: five whys, root cause, action items; --complete closes, --export md renders')
            [CompletionResult]::new('action', 'action', [CompletionResultType]::ParameterValue, 'Follow-up action items: add, list, done, link')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List incidents: open ones by default, most severe first')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List incidents: open ones by default, most severe first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show an incident, its roles and its timeline')
            [CompletionResult]::new('topic', 'topic', [CompletionResultType]::ParameterValue, 'Print a one-line status for a chat channel topic')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a remediation command and record it in the timeline as an action')
            [CompletionResult]::new('comms', 'comms', [CompletionResultType]::ParameterValue, 'Print the latest customer-facing update, or a draft of the next one')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Report missed and soon-due response targets (exit 3 when any is missed)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Response metrics: counts, time to acknowledge and resolve, targets met')
            [CompletionResult]::new('guard', 'guard', [CompletionResultType]::ParameterValue, 'Fail while a matching incident is open: a deploy freeze for CI')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that no timeline was edited, deleted or reordered behind the tool''s back')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every incident with its whole history as JSON: a backup, or a move')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Restore incidents from an export; importing the same file twice changes nothing')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'incident;declare' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Severity level [default: the least severe configured level]')
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'Severity level [default: the least severe configured level]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'What kind of incident')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'What kind of incident')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'An affected service (repeat or separate with commas)')
            [CompletionResult]::new('--commander', '--commander', [CompletionResultType]::ParameterName, 'Who leads the response (the incident commander)')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'What is known so far')
            [CompletionResult]::new('--detected-by', '--detected-by', [CompletionResultType]::ParameterName, 'Who or what noticed first')
            [CompletionResult]::new('--started-at', '--started-at', [CompletionResultType]::ParameterName, 'When the impact began, if earlier than now')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'A chat channel, bridge or document link (repeatable)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--assess', '--assess', [CompletionResultType]::ParameterName, 'Go straight into the triage walk (incident assess) after declaring; needs a terminal')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;assess' {
            [CompletionResult]::new('--impact', '--impact', [CompletionResultType]::ParameterName, 'What is the impact on customers (internal or external)?')
            [CompletionResult]::new('--sees', '--sees', [CompletionResultType]::ParameterName, 'What do customers see?')
            [CompletionResult]::new('--customers', '--customers', [CompletionResultType]::ParameterName, 'How many customers are affected')
            [CompletionResult]::new('--started-at', '--started-at', [CompletionResultType]::ParameterName, 'When the impact started [default: the incident''s start, or now]')
            [CompletionResult]::new('--tickets', '--tickets', [CompletionResultType]::ParameterName, 'How many support tickets customers have raised [default: 0]')
            [CompletionResult]::new('--factor', '--factor', [CompletionResultType]::ParameterName, 'Another factor: public attention, security, data loss (repeat or use commas)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'A checked CIA checklist item: C1–C4, I1–I5, A1–A6 (repeat or use commas)')
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'Choose this severity instead of the suggestion')
            [CompletionResult]::new('--answers', '--answers', [CompletionResultType]::ParameterName, 'Read the answers from a TOML file (see examples/assess-answers.toml)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept the suggested severity without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept the suggested severity without asking')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;assign-role' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--remove', '--remove', [CompletionResultType]::ParameterName, 'Take the role away from PERSON instead')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;escalate' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Whom to page: a person, rota or team (repeat or separate with commas) [default: the escalation policy for the severity in the configuration]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Raise the severity to this level')
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'Raise the severity to this level')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Why: what the people paged need to know')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: what the people paged need to know')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;update' {
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'What kind of entry')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'What kind of entry')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Move the incident to this status')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Move the incident to this status')
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'Change the severity to this level')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'When the next status update is due: a duration (30m) or a time (14:30)')
            [CompletionResult]::new('--next-update', '--next-update', [CompletionResultType]::ParameterName, 'When the next status update is due: a duration (30m) or a time (14:30)')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'When it happened, if not now (for the scribe catching up)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'This is a customer-facing status update')
            [CompletionResult]::new('--external', '--external', [CompletionResultType]::ParameterName, 'This is a customer-facing status update')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;resolve' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'How it was resolved')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'How it was resolved')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'When service was restored, if not now')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;retro' {
            [CompletionResult]::new('--answers', '--answers', [CompletionResultType]::ParameterName, 'Record the answers from a TOML file instead of asking (''-'' reads stdin; see examples/retro-answers.toml)')
            [CompletionResult]::new('--no-actions', '--no-actions', [CompletionResultType]::ParameterName, 'Complete without action items, saying why')
            [CompletionResult]::new('--draft-out', '--draft-out', [CompletionResultType]::ParameterName, 'Write the draft of an interrupted retrospective (or else the recorded one) to FILE as an answers file, to edit and give back to --answers')
            [CompletionResult]::new('--export', '--export', [CompletionResultType]::ParameterName, 'Render the postmortem document instead: md (Markdown) or json')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the export to FILE (created owner-only) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the export to FILE (created owner-only) instead of stdout')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--complete', '--complete', [CompletionResultType]::ParameterName, 'Complete the retrospective and close the incident (needs a root cause and an action item)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;action' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a follow-up action item to an incident; prints its id (A-3)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List action items across all incidents, soonest due first')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List action items across all incidents, soonest due first')
            [CompletionResult]::new('done', 'done', [CompletionResultType]::ParameterValue, 'Mark an action item done')
            [CompletionResult]::new('link', 'link', [CompletionResultType]::ParameterValue, 'Link an action item to its ticket in the team''s tracker')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'incident;action;add' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Who follows it up')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who follows it up')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'When it is due: YYYY-MM-DD, or a span from today (14d, 2w)')
            [CompletionResult]::new('--due', '--due', [CompletionResultType]::ParameterName, 'When it is due: YYYY-MM-DD, or a span from today (14d, 2w)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'detective (notice sooner), preventive (keep it from happening) or corrective (fix, recover faster)')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'detective (notice sooner), preventive (keep it from happening) or corrective (fix, recover faster)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;action;list' {
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only items this person owns')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Only the items of this incident')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'Only the items of this incident')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Only items not done yet')
            [CompletionResult]::new('--overdue', '--overdue', [CompletionResultType]::ParameterName, 'Only open items whose due date has passed')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;action;ls' {
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only items this person owns')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Only the items of this incident')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'Only the items of this incident')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Only items not done yet')
            [CompletionResult]::new('--overdue', '--overdue', [CompletionResultType]::ParameterName, 'Only open items whose due date has passed')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;action;done' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'What was done, for the record')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'What was done, for the record')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;action;link' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;action;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a follow-up action item to an incident; prints its id (A-3)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List action items across all incidents, soonest due first')
            [CompletionResult]::new('done', 'done', [CompletionResultType]::ParameterValue, 'Mark an action item done')
            [CompletionResult]::new('link', 'link', [CompletionResultType]::ParameterValue, 'Link an action item to its ticket in the team''s tracker')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'incident;action;help;add' {
            break
        }
        'incident;action;help;list' {
            break
        }
        'incident;action;help;done' {
            break
        }
        'incident;action;help;link' {
            break
        }
        'incident;action;help;help' {
            break
        }
        'incident;list' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only incidents in this status (repeat or separate with commas)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only incidents in this status (repeat or separate with commas)')
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'Only incidents of these severities (repeat or separate with commas)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only incidents declared since: a time, or a duration back from now (7d)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show at most N incidents (0: all) [default: 50, or all with --json]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N incidents (0: all) [default: 50, or all with --json]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Include resolved and closed incidents')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Include resolved and closed incidents')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;ls' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only incidents in this status (repeat or separate with commas)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only incidents in this status (repeat or separate with commas)')
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'Only incidents of these severities (repeat or separate with commas)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only incidents declared since: a time, or a duration back from now (7d)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show at most N incidents (0: all) [default: 50, or all with --json]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N incidents (0: all) [default: 50, or all with --json]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Include resolved and closed incidents')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Include resolved and closed incidents')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;show' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show only the latest N timeline entries (0: all) [default: 50, or all with --json]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show only the latest N timeline entries (0: all) [default: 50, or all with --json]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;topic' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;exec' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;comms' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'With --draft: when the update after it will come (30m, 14:30) [default: the severity''s update cadence from now]')
            [CompletionResult]::new('--next-update', '--next-update', [CompletionResultType]::ParameterName, 'With --draft: when the update after it will come (30m, 14:30) [default: the severity''s update cadence from now]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Print a template for the next update instead')
            [CompletionResult]::new('--draft', '--draft', [CompletionResultType]::ParameterName, 'Print a template for the next update instead')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;check' {
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Also report targets due within this long [default: `[check] within` in the configuration, 15m]')
            [CompletionResult]::new('--within', '--within', [CompletionResultType]::ParameterName, 'Also report targets due within this long [default: `[check] within` in the configuration, 15m]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;stats' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Incidents declared since: a duration back from now (90d) or a time')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only incidents of these severities (repeat or separate with commas)')
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'Only incidents of these severities (repeat or separate with commas)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;guard' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only incidents at least this severe (e.g. SEV2 matches SEV1 and SEV2) [default: any]')
            [CompletionResult]::new('--min-severity', '--min-severity', [CompletionResultType]::ParameterName, 'Only incidents at least this severe (e.g. SEV2 matches SEV1 and SEV2) [default: any]')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only incidents affecting this service (repeat or separate with commas: any of them)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;verify' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE (created owner-only) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (created owner-only) instead of stdout')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;import' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;completions' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ~/.config/incident/config.toml]')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Who is acting, recorded on every event [default: $USER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr unless something is wrong')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Run no hooks for this command (backfills, imports, drills)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'incident;help' {
            [CompletionResult]::new('declare', 'declare', [CompletionResultType]::ParameterValue, 'Open an incident and print its key')
            [CompletionResult]::new('assess', 'assess', [CompletionResultType]::ParameterValue, 'Triage: impact questions, the CIA checklist, and the severity')
            [CompletionResult]::new('assign-role', 'assign-role', [CompletionResultType]::ParameterValue, 'Delegate a role (commander, scribe, …) or hand it over')
            [CompletionResult]::new('escalate', 'escalate', [CompletionResultType]::ParameterValue, 'Page more people, and raise the severity if needed')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Add to the timeline: a note, decision, action, evidence or status update')
            [CompletionResult]::new('resolve', 'resolve', [CompletionResultType]::ParameterValue, 'Mark an incident resolved: service restored for everyone')
            [CompletionResult]::new('retro', 'retro', [CompletionResultType]::ParameterValue, 'The retrospective: five whys, root cause, action items; --complete closes, --export md renders')
            [CompletionResult]::new('action', 'action', [CompletionResultType]::ParameterValue, 'Follow-up action items: add, list, done, link')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List incidents: open ones by default, most severe first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show an incident, its roles and its timeline')
            [CompletionResult]::new('topic', 'topic', [CompletionResultType]::ParameterValue, 'Print a one-line status for a chat channel topic')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a remediation command and record it in the timeline as an action')
            [CompletionResult]::new('comms', 'comms', [CompletionResultType]::ParameterValue, 'Print the latest customer-facing update, or a draft of the next one')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Report missed and soon-due response targets (exit 3 when any is missed)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Response metrics: counts, time to acknowledge and resolve, targets met')
            [CompletionResult]::new('guard', 'guard', [CompletionResultType]::ParameterValue, 'Fail while a matching incident is open: a deploy freeze for CI')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that no timeline was edited, deleted or reordered behind the tool''s back')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every incident with its whole history as JSON: a backup, or a move')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Restore incidents from an export; importing the same file twice changes nothing')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'incident;help;declare' {
            break
        }
        'incident;help;assess' {
            break
        }
        'incident;help;assign-role' {
            break
        }
        'incident;help;escalate' {
            break
        }
        'incident;help;update' {
            break
        }
        'incident;help;resolve' {
            break
        }
        'incident;help;retro' {
            break
        }
        'incident;help;action' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a follow-up action item to an incident; prints its id (A-3)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List action items across all incidents, soonest due first')
            [CompletionResult]::new('done', 'done', [CompletionResultType]::ParameterValue, 'Mark an action item done')
            [CompletionResult]::new('link', 'link', [CompletionResultType]::ParameterValue, 'Link an action item to its ticket in the team''s tracker')
            break
        }
        'incident;help;action;add' {
            break
        }
        'incident;help;action;list' {
            break
        }
        'incident;help;action;done' {
            break
        }
        'incident;help;action;link' {
            break
        }
        'incident;help;list' {
            break
        }
        'incident;help;show' {
            break
        }
        'incident;help;topic' {
            break
        }
        'incident;help;exec' {
            break
        }
        'incident;help;comms' {
            break
        }
        'incident;help;check' {
            break
        }
        'incident;help;stats' {
            break
        }
        'incident;help;guard' {
            break
        }
        'incident;help;verify' {
            break
        }
        'incident;help;export' {
            break
        }
        'incident;help;import' {
            break
        }
        'incident;help;completions' {
            break
        }
        'incident;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
