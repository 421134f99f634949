export namespace audio {
	
	export class Device {
	    name: string;
	    hostApi: string;
	    inputChannels: number;
	    outputChannels: number;
	    defaultRate: number;
	    defaultInput: boolean;
	    defaultOutput: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Device(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.hostApi = source["hostApi"];
	        this.inputChannels = source["inputChannels"];
	        this.outputChannels = source["outputChannels"];
	        this.defaultRate = source["defaultRate"];
	        this.defaultInput = source["defaultInput"];
	        this.defaultOutput = source["defaultOutput"];
	    }
	}

}

export namespace daemon {
	
	export class CommandResult {
	    id: string;
	    status: string;
	
	    static createFrom(source: any = {}) {
	        return new CommandResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.status = source["status"];
	    }
	}
	export class Member {
	    profile: profile.Profile;
	    stats: profile.Stats;
	
	    static createFrom(source: any = {}) {
	        return new Member(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.profile = this.convertValues(source["profile"], profile.Profile);
	        this.stats = this.convertValues(source["stats"], profile.Stats);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Family {
	    members: Member[];
	    active: string;
	    needsPin: boolean;
	    canManage: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Family(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.members = this.convertValues(source["members"], Member);
	        this.active = source["active"];
	        this.needsPin = source["needsPin"];
	        this.canManage = source["canManage"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class HotkeyStatus {
	    available: boolean;
	    reason: string;
	    conflicts: Record<string, string>;
	    active: string[];
	    commands: Record<string, string>;
	
	    static createFrom(source: any = {}) {
	        return new HotkeyStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.available = source["available"];
	        this.reason = source["reason"];
	        this.conflicts = source["conflicts"];
	        this.active = source["active"];
	        this.commands = source["commands"];
	    }
	}
	export class ImportResult {
	    warnings: string[];
	    secretsImported: string[];
	    restartNeeded: string[];
	
	    static createFrom(source: any = {}) {
	        return new ImportResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.warnings = source["warnings"];
	        this.secretsImported = source["secretsImported"];
	        this.restartNeeded = source["restartNeeded"];
	    }
	}
	export class KeychainStatus {
	    backend: string;
	    ok: boolean;
	    locked: boolean;
	    detail: string;
	
	    static createFrom(source: any = {}) {
	        return new KeychainStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.backend = source["backend"];
	        this.ok = source["ok"];
	        this.locked = source["locked"];
	        this.detail = source["detail"];
	    }
	}
	
	export class MicTest {
	    device: string;
	    seconds: number;
	    peakDbfs: number;
	    rmsDbfs: number;
	    sound: boolean;
	    notices: string[];
	
	    static createFrom(source: any = {}) {
	        return new MicTest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.device = source["device"];
	        this.seconds = source["seconds"];
	        this.peakDbfs = source["peakDbfs"];
	        this.rmsDbfs = source["rmsDbfs"];
	        this.sound = source["sound"];
	        this.notices = source["notices"];
	    }
	}
	export class N8NTest {
	    ok: boolean;
	    class: string;
	    status: number;
	    message: string;
	    reply: string;
	    latencyMs: number;
	
	    static createFrom(source: any = {}) {
	        return new N8NTest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ok = source["ok"];
	        this.class = source["class"];
	        this.status = source["status"];
	        this.message = source["message"];
	        this.reply = source["reply"];
	        this.latencyMs = source["latencyMs"];
	    }
	}
	export class OutboxEntry {
	    id: number;
	    requestId: string;
	    text: string;
	    status: string;
	    attempts: number;
	    lastError: string;
	    createdAt: string;
	    nextAttemptAt: string;
	
	    static createFrom(source: any = {}) {
	        return new OutboxEntry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.requestId = source["requestId"];
	        this.text = source["text"];
	        this.status = source["status"];
	        this.attempts = source["attempts"];
	        this.lastError = source["lastError"];
	        this.createdAt = source["createdAt"];
	        this.nextAttemptAt = source["nextAttemptAt"];
	    }
	}
	export class OutboxView {
	    state: event.OutboxStatePayload;
	    items: OutboxEntry[];
	
	    static createFrom(source: any = {}) {
	        return new OutboxView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.state = this.convertValues(source["state"], event.OutboxStatePayload);
	        this.items = this.convertValues(source["items"], OutboxEntry);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Paths {
	    database: string;
	    logFile: string;
	    socket: string;
	
	    static createFrom(source: any = {}) {
	        return new Paths(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.database = source["database"];
	        this.logFile = source["logFile"];
	        this.socket = source["socket"];
	    }
	}
	export class SaveResult {
	    restartNeeded: string[];
	
	    static createFrom(source: any = {}) {
	        return new SaveResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.restartNeeded = source["restartNeeded"];
	    }
	}
	export class SecretStatus {
	    key: string;
	    label: string;
	    configured: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SecretStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.label = source["label"];
	        this.configured = source["configured"];
	    }
	}
	export class StoreStatus {
	    path: string;
	    sizeBytes: number;
	    rows: Record<string, number>;
	
	    static createFrom(source: any = {}) {
	        return new StoreStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.sizeBytes = source["sizeBytes"];
	        this.rows = source["rows"];
	    }
	}
	export class Snapshot {
	    version: string;
	    settings: settings.Settings;
	    secrets: SecretStatus[];
	    keychain: KeychainStatus;
	    services: event.ServiceStatePayload[];
	    store: StoreStatus;
	    paths: Paths;
	    server: event.ServerStatePayload;
	    outbox: event.OutboxStatePayload;
	    lastCommand: event.CommandStatePayload;
	    speech: event.SpeechStatePayload;
	    state: event.AppStatePayload;
	    eventsDropped: number;
	    logsDropped: number;
	    uptimeSeconds: number;
	    startedAt: string;
	
	    static createFrom(source: any = {}) {
	        return new Snapshot(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.settings = this.convertValues(source["settings"], settings.Settings);
	        this.secrets = this.convertValues(source["secrets"], SecretStatus);
	        this.keychain = this.convertValues(source["keychain"], KeychainStatus);
	        this.services = this.convertValues(source["services"], event.ServiceStatePayload);
	        this.store = this.convertValues(source["store"], StoreStatus);
	        this.paths = this.convertValues(source["paths"], Paths);
	        this.server = this.convertValues(source["server"], event.ServerStatePayload);
	        this.outbox = this.convertValues(source["outbox"], event.OutboxStatePayload);
	        this.lastCommand = this.convertValues(source["lastCommand"], event.CommandStatePayload);
	        this.speech = this.convertValues(source["speech"], event.SpeechStatePayload);
	        this.state = this.convertValues(source["state"], event.AppStatePayload);
	        this.eventsDropped = source["eventsDropped"];
	        this.logsDropped = source["logsDropped"];
	        this.uptimeSeconds = source["uptimeSeconds"];
	        this.startedAt = source["startedAt"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class TypingTool {
	    method: string;
	    available: boolean;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new TypingTool(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.method = source["method"];
	        this.available = source["available"];
	        this.reason = source["reason"];
	    }
	}
	export class TypingStatus {
	    session: string;
	    desktop: string;
	    chosen: string;
	    clipboard: string;
	    summary: string;
	    methods: TypingTool[];
	
	    static createFrom(source: any = {}) {
	        return new TypingStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.session = source["session"];
	        this.desktop = source["desktop"];
	        this.chosen = source["chosen"];
	        this.clipboard = source["clipboard"];
	        this.summary = source["summary"];
	        this.methods = this.convertValues(source["methods"], TypingTool);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class VoiceInfo {
	    id: string;
	    name: string;
	    category: string;
	    description: string;
	
	    static createFrom(source: any = {}) {
	        return new VoiceInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.category = source["category"];
	        this.description = source["description"];
	    }
	}

}

export namespace doctor {
	
	export class Check {
	    name: string;
	    status: string;
	    detail: string;
	    fix: string;
	
	    static createFrom(source: any = {}) {
	        return new Check(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.status = source["status"];
	        this.detail = source["detail"];
	        this.fix = source["fix"];
	    }
	}

}

export namespace event {
	
	export class AppStatePayload {
	    state: string;
	    detail: string;
	    profile: string;
	    role: string;
	
	    static createFrom(source: any = {}) {
	        return new AppStatePayload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.state = source["state"];
	        this.detail = source["detail"];
	        this.profile = source["profile"];
	        this.role = source["role"];
	    }
	}
	export class CommandStatePayload {
	    id: string;
	    text: string;
	    status: string;
	    reply: string;
	    speak: boolean;
	    message: string;
	    attempts: number;
	    latencyMs: number;
	    at: string;
	
	    static createFrom(source: any = {}) {
	        return new CommandStatePayload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.text = source["text"];
	        this.status = source["status"];
	        this.reply = source["reply"];
	        this.speak = source["speak"];
	        this.message = source["message"];
	        this.attempts = source["attempts"];
	        this.latencyMs = source["latencyMs"];
	        this.at = source["at"];
	    }
	}
	export class DictationPayload {
	    text: string;
	    status: string;
	    method: string;
	    onClipboard: boolean;
	    message: string;
	
	    static createFrom(source: any = {}) {
	        return new DictationPayload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.text = source["text"];
	        this.status = source["status"];
	        this.method = source["method"];
	        this.onClipboard = source["onClipboard"];
	        this.message = source["message"];
	    }
	}
	export class LogAppendedPayload {
	    id: number;
	    time: string;
	    level: string;
	    component: string;
	    message: string;
	    attrs?: Record<string, string>;
	
	    static createFrom(source: any = {}) {
	        return new LogAppendedPayload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.time = source["time"];
	        this.level = source["level"];
	        this.component = source["component"];
	        this.message = source["message"];
	        this.attrs = source["attrs"];
	    }
	}
	export class OutboxStatePayload {
	    pending: number;
	    failed: number;
	    oldestAt: string;
	    breaker: string;
	    retryAt: string;
	    blocked: string;
	    lastError: string;
	
	    static createFrom(source: any = {}) {
	        return new OutboxStatePayload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.pending = source["pending"];
	        this.failed = source["failed"];
	        this.oldestAt = source["oldestAt"];
	        this.breaker = source["breaker"];
	        this.retryAt = source["retryAt"];
	        this.blocked = source["blocked"];
	        this.lastError = source["lastError"];
	    }
	}
	export class ServerStatePayload {
	    state: string;
	    pid: number;
	    since: string;
	    startedAt: string;
	    restarts: number;
	    lastError: string;
	    nextTry: string;
	    reason: string;
	    external: boolean;
	    managed: boolean;
	    address: string;
	    model: string;
	    version: string;
	    warnings: string[];
	    lastLines: string[];
	
	    static createFrom(source: any = {}) {
	        return new ServerStatePayload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.state = source["state"];
	        this.pid = source["pid"];
	        this.since = source["since"];
	        this.startedAt = source["startedAt"];
	        this.restarts = source["restarts"];
	        this.lastError = source["lastError"];
	        this.nextTry = source["nextTry"];
	        this.reason = source["reason"];
	        this.external = source["external"];
	        this.managed = source["managed"];
	        this.address = source["address"];
	        this.model = source["model"];
	        this.version = source["version"];
	        this.warnings = source["warnings"];
	        this.lastLines = source["lastLines"];
	    }
	}
	export class ServiceStatePayload {
	    service: string;
	    state: string;
	    detail: string;
	
	    static createFrom(source: any = {}) {
	        return new ServiceStatePayload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.service = source["service"];
	        this.state = source["state"];
	        this.detail = source["detail"];
	    }
	}
	export class SpeechStatePayload {
	    speaking: boolean;
	    id: string;
	    text: string;
	    underruns: number;
	
	    static createFrom(source: any = {}) {
	        return new SpeechStatePayload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.speaking = source["speaking"];
	        this.id = source["id"];
	        this.text = source["text"];
	        this.underruns = source["underruns"];
	    }
	}

}

export namespace logging {
	
	export class Page {
	    entries: event.LogAppendedPayload[];
	    nextBefore: number;
	
	    static createFrom(source: any = {}) {
	        return new Page(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.entries = this.convertValues(source["entries"], event.LogAppendedPayload);
	        this.nextBefore = source["nextBefore"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace main {
	
	export class LogFilter {
	    minLevel: string;
	    component: string;
	    since: string;
	    until: string;
	    text: string;
	    before: number;
	    after: number;
	    limit: number;
	
	    static createFrom(source: any = {}) {
	        return new LogFilter(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.minLevel = source["minLevel"];
	        this.component = source["component"];
	        this.since = source["since"];
	        this.until = source["until"];
	        this.text = source["text"];
	        this.before = source["before"];
	        this.after = source["after"];
	        this.limit = source["limit"];
	    }
	}

}

export namespace profile {
	
	export class QuickAction {
	    name: string;
	    command: string;
	
	    static createFrom(source: any = {}) {
	        return new QuickAction(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.command = source["command"];
	    }
	}
	export class Profile {
	    id: number;
	    name: string;
	    color: string;
	    avatar: string;
	    role: string;
	    voice: string;
	    language: string;
	    responseMode: string;
	    overrides?: Record<string, any>;
	    allowed: string[];
	    blocked: string[];
	    quickActions: QuickAction[];
	    noHistory: boolean;
	    hasPin: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Profile(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.color = source["color"];
	        this.avatar = source["avatar"];
	        this.role = source["role"];
	        this.voice = source["voice"];
	        this.language = source["language"];
	        this.responseMode = source["responseMode"];
	        this.overrides = source["overrides"];
	        this.allowed = source["allowed"];
	        this.blocked = source["blocked"];
	        this.quickActions = this.convertValues(source["quickActions"], QuickAction);
	        this.noHistory = source["noHistory"];
	        this.hasPin = source["hasPin"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Stats {
	    commands: number;
	    successes: number;
	    avgLatencyMs: number;
	
	    static createFrom(source: any = {}) {
	        return new Stats(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.commands = source["commands"];
	        this.successes = source["successes"];
	        this.avgLatencyMs = source["avgLatencyMs"];
	    }
	}

}

export namespace settings {
	
	export class AudioSettings {
	    mode: string;
	    input_device: string;
	    output_device: string;
	    vad_aggressiveness: number;
	    silence_ms: number;
	    preroll_ms: number;
	    sample_rate: number;
	    mute_while_speaking: boolean;
	    keep_warm: boolean;
	
	    static createFrom(source: any = {}) {
	        return new AudioSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.mode = source["mode"];
	        this.input_device = source["input_device"];
	        this.output_device = source["output_device"];
	        this.vad_aggressiveness = source["vad_aggressiveness"];
	        this.silence_ms = source["silence_ms"];
	        this.preroll_ms = source["preroll_ms"];
	        this.sample_rate = source["sample_rate"];
	        this.mute_while_speaking = source["mute_while_speaking"];
	        this.keep_warm = source["keep_warm"];
	    }
	}
	export class ElevenLabsSettings {
	    voice_id: string;
	    model_id: string;
	    language_code: string;
	    stability: number;
	    similarity_boost: number;
	    style: number;
	    use_speaker_boost: boolean;
	    speed: number;
	    cache_mb: number;
	
	    static createFrom(source: any = {}) {
	        return new ElevenLabsSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.voice_id = source["voice_id"];
	        this.model_id = source["model_id"];
	        this.language_code = source["language_code"];
	        this.stability = source["stability"];
	        this.similarity_boost = source["similarity_boost"];
	        this.style = source["style"];
	        this.use_speaker_boost = source["use_speaker_boost"];
	        this.speed = source["speed"];
	        this.cache_mb = source["cache_mb"];
	    }
	}
	export class FieldError {
	    field: string;
	    message: string;
	
	    static createFrom(source: any = {}) {
	        return new FieldError(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.field = source["field"];
	        this.message = source["message"];
	    }
	}
	export class GeneralSettings {
	    command_prefix: string;
	    default_route: string;
	    log_level: string;
	    retention_days: number;
	    keep_history: boolean;
	    health_check_interval_s: number;
	    start_hidden: boolean;
	    close_to_tray: boolean;
	    launch_at_login: boolean;
	    keyring_backend: string;
	    theme: string;
	    setup_complete: boolean;
	
	    static createFrom(source: any = {}) {
	        return new GeneralSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.command_prefix = source["command_prefix"];
	        this.default_route = source["default_route"];
	        this.log_level = source["log_level"];
	        this.retention_days = source["retention_days"];
	        this.keep_history = source["keep_history"];
	        this.health_check_interval_s = source["health_check_interval_s"];
	        this.start_hidden = source["start_hidden"];
	        this.close_to_tray = source["close_to_tray"];
	        this.launch_at_login = source["launch_at_login"];
	        this.keyring_backend = source["keyring_backend"];
	        this.theme = source["theme"];
	        this.setup_complete = source["setup_complete"];
	    }
	}
	export class HotkeySettings {
	    toggle: string;
	    pause: string;
	    push_to_talk: string;
	    double_tap_lock: boolean;
	    hold_threshold_ms: number;
	
	    static createFrom(source: any = {}) {
	        return new HotkeySettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.toggle = source["toggle"];
	        this.pause = source["pause"];
	        this.push_to_talk = source["push_to_talk"];
	        this.double_tap_lock = source["double_tap_lock"];
	        this.hold_threshold_ms = source["hold_threshold_ms"];
	    }
	}
	export class N8NSettings {
	    webhook_url: string;
	    auth_header_name: string;
	    sign_requests: boolean;
	    connect_timeout_s: number;
	    reply_timeout_s: number;
	    health_url: string;
	
	    static createFrom(source: any = {}) {
	        return new N8NSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.webhook_url = source["webhook_url"];
	        this.auth_header_name = source["auth_header_name"];
	        this.sign_requests = source["sign_requests"];
	        this.connect_timeout_s = source["connect_timeout_s"];
	        this.reply_timeout_s = source["reply_timeout_s"];
	        this.health_url = source["health_url"];
	    }
	}
	export class RabbitMQSettings {
	    enabled: boolean;
	    url: string;
	    exchange: string;
	    host_id: string;
	
	    static createFrom(source: any = {}) {
	        return new RabbitMQSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.enabled = source["enabled"];
	        this.url = source["url"];
	        this.exchange = source["exchange"];
	        this.host_id = source["host_id"];
	    }
	}
	export class Replacement {
	    from: string;
	    to: string;
	
	    static createFrom(source: any = {}) {
	        return new Replacement(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.from = source["from"];
	        this.to = source["to"];
	    }
	}
	export class ResponseSettings {
	    mode: string;
	    volume: number;
	    cues_enabled: boolean;
	    cue_start: boolean;
	    cue_stop: boolean;
	    cue_error: boolean;
	    cue_volume: number;
	    notifications: boolean;
	    barge_in: boolean;
	    type_replies: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ResponseSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.mode = source["mode"];
	        this.volume = source["volume"];
	        this.cues_enabled = source["cues_enabled"];
	        this.cue_start = source["cue_start"];
	        this.cue_stop = source["cue_stop"];
	        this.cue_error = source["cue_error"];
	        this.cue_volume = source["cue_volume"];
	        this.notifications = source["notifications"];
	        this.barge_in = source["barge_in"];
	        this.type_replies = source["type_replies"];
	    }
	}
	export class TypingSettings {
	    enabled: boolean;
	    method: string;
	    key_delay_ms: number;
	    clipboard_restore_ms: number;
	    replacements: Replacement[];
	    capitalize: boolean;
	
	    static createFrom(source: any = {}) {
	        return new TypingSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.enabled = source["enabled"];
	        this.method = source["method"];
	        this.key_delay_ms = source["key_delay_ms"];
	        this.clipboard_restore_ms = source["clipboard_restore_ms"];
	        this.replacements = this.convertValues(source["replacements"], Replacement);
	        this.capitalize = source["capitalize"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class WhisperSettings {
	    command: string;
	    managed: boolean;
	    host: string;
	    port: number;
	    tls: boolean;
	    model: string;
	    language: string;
	    backend: string;
	    backend_policy: string;
	    diarization: boolean;
	    warmup_file: string;
	    extra_args: string[];
	    startup_timeout_s: number;
	
	    static createFrom(source: any = {}) {
	        return new WhisperSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.command = source["command"];
	        this.managed = source["managed"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.tls = source["tls"];
	        this.model = source["model"];
	        this.language = source["language"];
	        this.backend = source["backend"];
	        this.backend_policy = source["backend_policy"];
	        this.diarization = source["diarization"];
	        this.warmup_file = source["warmup_file"];
	        this.extra_args = source["extra_args"];
	        this.startup_timeout_s = source["startup_timeout_s"];
	    }
	}
	export class Settings {
	    n8n: N8NSettings;
	    elevenlabs: ElevenLabsSettings;
	    whisper: WhisperSettings;
	    rabbitmq: RabbitMQSettings;
	    audio: AudioSettings;
	    response: ResponseSettings;
	    hotkeys: HotkeySettings;
	    typing: TypingSettings;
	    general: GeneralSettings;
	
	    static createFrom(source: any = {}) {
	        return new Settings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.n8n = this.convertValues(source["n8n"], N8NSettings);
	        this.elevenlabs = this.convertValues(source["elevenlabs"], ElevenLabsSettings);
	        this.whisper = this.convertValues(source["whisper"], WhisperSettings);
	        this.rabbitmq = this.convertValues(source["rabbitmq"], RabbitMQSettings);
	        this.audio = this.convertValues(source["audio"], AudioSettings);
	        this.response = this.convertValues(source["response"], ResponseSettings);
	        this.hotkeys = this.convertValues(source["hotkeys"], HotkeySettings);
	        this.typing = this.convertValues(source["typing"], TypingSettings);
	        this.general = this.convertValues(source["general"], GeneralSettings);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	

}

