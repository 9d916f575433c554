# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_incident_global_optspecs
    string join \n db= config= as= json q/quiet no-hooks h/help V/version
end

function __fish_incident_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_incident_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_incident_using_subcommand
    set -l cmd (__fish_incident_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c incident -n "__fish_incident_needs_command" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_needs_command" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_needs_command" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_needs_command" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_needs_command" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_needs_command" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_needs_command" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_needs_command" -s V -l version -d 'Print version'
complete -c incident -n "__fish_incident_needs_command" -f -a "declare" -d 'Open an incident and print its key'
complete -c incident -n "__fish_incident_needs_command" -f -a "assess" -d 'Triage: impact questions, the CIA checklist, and the severity'
complete -c incident -n "__fish_incident_needs_command" -f -a "assign-role" -d 'Delegate a role (commander, scribe, …) or hand it over'
complete -c incident -n "__fish_incident_needs_command" -f -a "escalate" -d 'Page more people, and raise the severity if needed'
complete -c incident -n "__fish_incident_needs_command" -f -a "update" -d 'Add to the timeline: a note, decision, action, evidence or status update'
complete -c incident -n "__fish_incident_needs_command" -f -a "resolve" -d 'Mark an incident resolved: service restored for everyone'
complete -c incident -n "__fish_incident_needs_command" -f -a "retro" -d 'The retrospective: five whys, root cause, action items; --complete closes, --export md renders'
complete -c incident -n "__fish_incident_needs_command" -f -a "action" -d 'Follow-up action items: add, list, done, link'
complete -c incident -n "__fish_incident_needs_command" -f -a "list" -d 'List incidents: open ones by default, most severe first'
complete -c incident -n "__fish_incident_needs_command" -f -a "ls" -d 'List incidents: open ones by default, most severe first'
complete -c incident -n "__fish_incident_needs_command" -f -a "show" -d 'Show an incident, its roles and its timeline'
complete -c incident -n "__fish_incident_needs_command" -f -a "topic" -d 'Print a one-line status for a chat channel topic'
complete -c incident -n "__fish_incident_needs_command" -f -a "exec" -d 'Run a remediation command and record it in the timeline as an action'
complete -c incident -n "__fish_incident_needs_command" -f -a "comms" -d 'Print the latest customer-facing update, or a draft of the next one'
complete -c incident -n "__fish_incident_needs_command" -f -a "check" -d 'Report missed and soon-due response targets (exit 3 when any is missed)'
complete -c incident -n "__fish_incident_needs_command" -f -a "stats" -d 'Response metrics: counts, time to acknowledge and resolve, targets met'
complete -c incident -n "__fish_incident_needs_command" -f -a "guard" -d 'Fail while a matching incident is open: a deploy freeze for CI'
complete -c incident -n "__fish_incident_needs_command" -f -a "verify" -d 'Check that no timeline was edited, deleted or reordered behind the tool\'s back'
complete -c incident -n "__fish_incident_needs_command" -f -a "export" -d 'Write every incident with its whole history as JSON: a backup, or a move'
complete -c incident -n "__fish_incident_needs_command" -f -a "import" -d 'Restore incidents from an export; importing the same file twice changes nothing'
complete -c incident -n "__fish_incident_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c incident -n "__fish_incident_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c incident -n "__fish_incident_using_subcommand declare" -s s -l severity -d 'Severity level [default: the least severe configured level]' -r
complete -c incident -n "__fish_incident_using_subcommand declare" -s c -l category -d 'What kind of incident' -r -f -a "availability\t''
performance\t''
regression\t''
security\t''
data\t''
other\t''"
complete -c incident -n "__fish_incident_using_subcommand declare" -l service -d 'An affected service (repeat or separate with commas)' -r
complete -c incident -n "__fish_incident_using_subcommand declare" -l commander -d 'Who leads the response (the incident commander)' -r
complete -c incident -n "__fish_incident_using_subcommand declare" -l summary -d 'What is known so far' -r
complete -c incident -n "__fish_incident_using_subcommand declare" -l detected-by -d 'Who or what noticed first' -r -f -a "monitoring\t''
customer\t''
social\t''
internal\t''
other\t''"
complete -c incident -n "__fish_incident_using_subcommand declare" -l started-at -d 'When the impact began, if earlier than now' -r
complete -c incident -n "__fish_incident_using_subcommand declare" -l channel -d 'A chat channel, bridge or document link (repeatable)' -r
complete -c incident -n "__fish_incident_using_subcommand declare" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand declare" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand declare" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand declare" -l assess -d 'Go straight into the triage walk (incident assess) after declaring; needs a terminal'
complete -c incident -n "__fish_incident_using_subcommand declare" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand declare" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand declare" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand declare" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand assess" -l impact -d 'What is the impact on customers (internal or external)?' -r
complete -c incident -n "__fish_incident_using_subcommand assess" -l sees -d 'What do customers see?' -r
complete -c incident -n "__fish_incident_using_subcommand assess" -l customers -d 'How many customers are affected' -r -f -a "none\t''
some\t''
all\t''
unknown\t''"
complete -c incident -n "__fish_incident_using_subcommand assess" -l started-at -d 'When the impact started [default: the incident\'s start, or now]' -r
complete -c incident -n "__fish_incident_using_subcommand assess" -l tickets -d 'How many support tickets customers have raised [default: 0]' -r
complete -c incident -n "__fish_incident_using_subcommand assess" -l factor -d 'Another factor: public attention, security, data loss (repeat or use commas)' -r -f -a "public\t''
security\t''
data-loss\t''"
complete -c incident -n "__fish_incident_using_subcommand assess" -l check -d 'A checked CIA checklist item: C1–C4, I1–I5, A1–A6 (repeat or use commas)' -r
complete -c incident -n "__fish_incident_using_subcommand assess" -l severity -d 'Choose this severity instead of the suggestion' -r
complete -c incident -n "__fish_incident_using_subcommand assess" -l answers -d 'Read the answers from a TOML file (see examples/assess-answers.toml)' -r -F
complete -c incident -n "__fish_incident_using_subcommand assess" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand assess" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand assess" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand assess" -s y -l yes -d 'Accept the suggested severity without asking'
complete -c incident -n "__fish_incident_using_subcommand assess" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand assess" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand assess" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand assess" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand assign-role" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand assign-role" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand assign-role" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand assign-role" -l remove -d 'Take the role away from PERSON instead'
complete -c incident -n "__fish_incident_using_subcommand assign-role" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand assign-role" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand assign-role" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand assign-role" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand escalate" -l to -d 'Whom to page: a person, rota or team (repeat or separate with commas) [default: the escalation policy for the severity in the configuration]' -r
complete -c incident -n "__fish_incident_using_subcommand escalate" -s s -l severity -d 'Raise the severity to this level' -r
complete -c incident -n "__fish_incident_using_subcommand escalate" -s r -l reason -d 'Why: what the people paged need to know' -r
complete -c incident -n "__fish_incident_using_subcommand escalate" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand escalate" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand escalate" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand escalate" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand escalate" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand escalate" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand escalate" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand update" -s k -l kind -d 'What kind of entry' -r -f -a "note\t''
decision\t''
action\t''
evidence\t''
comms\t''"
complete -c incident -n "__fish_incident_using_subcommand update" -s s -l status -d 'Move the incident to this status' -r -f -a "investigating\t''
identified\t''
mitigated\t''
resolved\t''
closed\t''"
complete -c incident -n "__fish_incident_using_subcommand update" -l severity -d 'Change the severity to this level' -r
complete -c incident -n "__fish_incident_using_subcommand update" -s n -l next-update -d 'When the next status update is due: a duration (30m) or a time (14:30)' -r
complete -c incident -n "__fish_incident_using_subcommand update" -l at -d 'When it happened, if not now (for the scribe catching up)' -r
complete -c incident -n "__fish_incident_using_subcommand update" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand update" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand update" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand update" -s e -l external -d 'This is a customer-facing status update'
complete -c incident -n "__fish_incident_using_subcommand update" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand update" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand update" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand update" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand resolve" -s s -l summary -d 'How it was resolved' -r
complete -c incident -n "__fish_incident_using_subcommand resolve" -l at -d 'When service was restored, if not now' -r
complete -c incident -n "__fish_incident_using_subcommand resolve" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand resolve" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand resolve" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand resolve" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand resolve" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand resolve" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand resolve" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand retro" -l answers -d 'Record the answers from a TOML file instead of asking (\'-\' reads stdin; see examples/retro-answers.toml)' -r -F
complete -c incident -n "__fish_incident_using_subcommand retro" -l no-actions -d 'Complete without action items, saying why' -r
complete -c incident -n "__fish_incident_using_subcommand retro" -l draft-out -d 'Write the draft of an interrupted retrospective (or else the recorded one) to FILE as an answers file, to edit and give back to --answers' -r -F
complete -c incident -n "__fish_incident_using_subcommand retro" -l export -d 'Render the postmortem document instead: md (Markdown) or json' -r -f -a "md\t''
json\t''"
complete -c incident -n "__fish_incident_using_subcommand retro" -s o -l output -d 'Write the export to FILE (created owner-only) instead of stdout' -r -F
complete -c incident -n "__fish_incident_using_subcommand retro" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand retro" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand retro" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand retro" -l complete -d 'Complete the retrospective and close the incident (needs a root cause and an action item)'
complete -c incident -n "__fish_incident_using_subcommand retro" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand retro" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand retro" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand retro" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -f -a "add" -d 'Add a follow-up action item to an incident; prints its id (A-3)'
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -f -a "list" -d 'List action items across all incidents, soonest due first'
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -f -a "ls" -d 'List action items across all incidents, soonest due first'
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -f -a "done" -d 'Mark an action item done'
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -f -a "link" -d 'Link an action item to its ticket in the team\'s tracker'
complete -c incident -n "__fish_incident_using_subcommand action; and not __fish_seen_subcommand_from add list ls done link help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from add" -s o -l owner -d 'Who follows it up' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from add" -s d -l due -d 'When it is due: YYYY-MM-DD, or a span from today (14d, 2w)' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from add" -s k -l kind -d 'detective (notice sooner), preventive (keep it from happening) or corrective (fix, recover faster)' -r -f -a "detective\t''
preventive\t''
corrective\t''"
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from add" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from add" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from add" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from add" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from add" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -l owner -d 'Only items this person owns' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -s i -l incident -d 'Only the items of this incident' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -l open -d 'Only items not done yet'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -l overdue -d 'Only open items whose due date has passed'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -l owner -d 'Only items this person owns' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -s i -l incident -d 'Only the items of this incident' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -l open -d 'Only items not done yet'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -l overdue -d 'Only open items whose due date has passed'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from done" -s n -l note -d 'What was done, for the record' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from done" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from done" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from done" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from done" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from done" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from done" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from done" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from link" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from link" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from link" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from link" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from link" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from link" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from link" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a follow-up action item to an incident; prints its id (A-3)'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from help" -f -a "list" -d 'List action items across all incidents, soonest due first'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from help" -f -a "done" -d 'Mark an action item done'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from help" -f -a "link" -d 'Link an action item to its ticket in the team\'s tracker'
complete -c incident -n "__fish_incident_using_subcommand action; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c incident -n "__fish_incident_using_subcommand list" -s s -l status -d 'Only incidents in this status (repeat or separate with commas)' -r -f -a "investigating\t''
identified\t''
mitigated\t''
resolved\t''
closed\t''"
complete -c incident -n "__fish_incident_using_subcommand list" -l severity -d 'Only incidents of these severities (repeat or separate with commas)' -r
complete -c incident -n "__fish_incident_using_subcommand list" -l since -d 'Only incidents declared since: a time, or a duration back from now (7d)' -r
complete -c incident -n "__fish_incident_using_subcommand list" -s n -l limit -d 'Show at most N incidents (0: all) [default: 50, or all with --json]' -r
complete -c incident -n "__fish_incident_using_subcommand list" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand list" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand list" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand list" -s a -l all -d 'Include resolved and closed incidents'
complete -c incident -n "__fish_incident_using_subcommand list" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand list" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand list" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand list" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand ls" -s s -l status -d 'Only incidents in this status (repeat or separate with commas)' -r -f -a "investigating\t''
identified\t''
mitigated\t''
resolved\t''
closed\t''"
complete -c incident -n "__fish_incident_using_subcommand ls" -l severity -d 'Only incidents of these severities (repeat or separate with commas)' -r
complete -c incident -n "__fish_incident_using_subcommand ls" -l since -d 'Only incidents declared since: a time, or a duration back from now (7d)' -r
complete -c incident -n "__fish_incident_using_subcommand ls" -s n -l limit -d 'Show at most N incidents (0: all) [default: 50, or all with --json]' -r
complete -c incident -n "__fish_incident_using_subcommand ls" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand ls" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand ls" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand ls" -s a -l all -d 'Include resolved and closed incidents'
complete -c incident -n "__fish_incident_using_subcommand ls" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand ls" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand ls" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand ls" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand show" -s n -l limit -d 'Show only the latest N timeline entries (0: all) [default: 50, or all with --json]' -r
complete -c incident -n "__fish_incident_using_subcommand show" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand show" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand show" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand show" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand show" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand show" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand show" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand topic" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand topic" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand topic" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand topic" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand topic" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand topic" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand topic" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand exec" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand exec" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand exec" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand exec" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand exec" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand exec" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand exec" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand comms" -s n -l next-update -d 'With --draft: when the update after it will come (30m, 14:30) [default: the severity\'s update cadence from now]' -r
complete -c incident -n "__fish_incident_using_subcommand comms" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand comms" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand comms" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand comms" -s d -l draft -d 'Print a template for the next update instead'
complete -c incident -n "__fish_incident_using_subcommand comms" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand comms" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand comms" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand comms" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand check" -s w -l within -d 'Also report targets due within this long [default: `[check] within` in the configuration, 15m]' -r
complete -c incident -n "__fish_incident_using_subcommand check" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand check" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand check" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand check" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand check" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand check" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand check" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand stats" -l since -d 'Incidents declared since: a duration back from now (90d) or a time' -r
complete -c incident -n "__fish_incident_using_subcommand stats" -s s -l severity -d 'Only incidents of these severities (repeat or separate with commas)' -r
complete -c incident -n "__fish_incident_using_subcommand stats" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand stats" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand stats" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand stats" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand stats" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand stats" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand stats" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand guard" -s s -l min-severity -d 'Only incidents at least this severe (e.g. SEV2 matches SEV1 and SEV2) [default: any]' -r
complete -c incident -n "__fish_incident_using_subcommand guard" -l service -d 'Only incidents affecting this service (repeat or separate with commas: any of them)' -r
complete -c incident -n "__fish_incident_using_subcommand guard" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand guard" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand guard" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand guard" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand guard" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand guard" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand guard" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand verify" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand verify" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand verify" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand verify" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand verify" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand verify" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand verify" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand export" -s o -l output -d 'Write to FILE (created owner-only) instead of stdout' -r -F
complete -c incident -n "__fish_incident_using_subcommand export" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand export" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand export" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand export" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand export" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand export" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand export" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand import" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand import" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand import" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand import" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand import" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand import" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand import" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand completions" -l db -d 'Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]' -r -F
complete -c incident -n "__fish_incident_using_subcommand completions" -l config -d 'Configuration file [default: ~/.config/incident/config.toml]' -r -F
complete -c incident -n "__fish_incident_using_subcommand completions" -l as -d 'Who is acting, recorded on every event [default: $USER]' -r
complete -c incident -n "__fish_incident_using_subcommand completions" -l json -d 'Print machine-readable JSON on stdout'
complete -c incident -n "__fish_incident_using_subcommand completions" -s q -l quiet -d 'Say nothing on stderr unless something is wrong'
complete -c incident -n "__fish_incident_using_subcommand completions" -l no-hooks -d 'Run no hooks for this command (backfills, imports, drills)'
complete -c incident -n "__fish_incident_using_subcommand completions" -s h -l help -d 'Print help'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "declare" -d 'Open an incident and print its key'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "assess" -d 'Triage: impact questions, the CIA checklist, and the severity'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "assign-role" -d 'Delegate a role (commander, scribe, …) or hand it over'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "escalate" -d 'Page more people, and raise the severity if needed'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "update" -d 'Add to the timeline: a note, decision, action, evidence or status update'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "resolve" -d 'Mark an incident resolved: service restored for everyone'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "retro" -d 'The retrospective: five whys, root cause, action items; --complete closes, --export md renders'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "action" -d 'Follow-up action items: add, list, done, link'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "list" -d 'List incidents: open ones by default, most severe first'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "show" -d 'Show an incident, its roles and its timeline'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "topic" -d 'Print a one-line status for a chat channel topic'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "exec" -d 'Run a remediation command and record it in the timeline as an action'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "comms" -d 'Print the latest customer-facing update, or a draft of the next one'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "check" -d 'Report missed and soon-due response targets (exit 3 when any is missed)'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "stats" -d 'Response metrics: counts, time to acknowledge and resolve, targets met'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "guard" -d 'Fail while a matching incident is open: a deploy freeze for CI'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "verify" -d 'Check that no timeline was edited, deleted or reordered behind the tool\'s back'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "export" -d 'Write every incident with its whole history as JSON: a backup, or a move'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "import" -d 'Restore incidents from an export; importing the same file twice changes nothing'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c incident -n "__fish_incident_using_subcommand help; and not __fish_seen_subcommand_from declare assess assign-role escalate update resolve retro action list show topic exec comms check stats guard verify export import completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c incident -n "__fish_incident_using_subcommand help; and __fish_seen_subcommand_from action" -f -a "add" -d 'Add a follow-up action item to an incident; prints its id (A-3)'
complete -c incident -n "__fish_incident_using_subcommand help; and __fish_seen_subcommand_from action" -f -a "list" -d 'List action items across all incidents, soonest due first'
complete -c incident -n "__fish_incident_using_subcommand help; and __fish_seen_subcommand_from action" -f -a "done" -d 'Mark an action item done'
complete -c incident -n "__fish_incident_using_subcommand help; and __fish_seen_subcommand_from action" -f -a "link" -d 'Link an action item to its ticket in the team\'s tracker'
