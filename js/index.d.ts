// TypeScript declarations of tim-wasm, the open drop-in replacement of tim-js-sdk 2.27.6.
//
// Written so that code which compiles against the official `tim-js.d.ts` compiles against this:
// - the default export `TIM` is a namespace whose `EVENT` and `TYPES` are enums, usable as
//   values (`TIM.TYPES.MSG_TEXT`) and as types (`let t: TIM.TYPES`);
// - the official named exports (`ChatSDK`, `Message`, `Conversation`, `Group`, `GroupMember`,
//   `Profile`, `Friend`, `FriendApplication`, `FriendGroup`, `Topic`, `SimplifiedMessage`)
//   exist with at least the official fields and the official field types;
// - parameters accept at least what the official ones accept.
// On top of that, results and events are typed: promises resolve `IMResponse<...>`, listeners
// get `{name, data}` with `data` typed per event. Result objects also allow reading fields not
// listed here (typed `any`), as the official `Promise<any>` did. What this typing can newly
// reject is code that relied on `any`: payload fields of the create APIs of the wrong type
// (e.g. a string `longitude`), or a result promise returned where `Promise<void>` is declared.
//
// All 114 methods of the official instance exist at runtime. Those tim-wasm does not implement
// yet return a promise rejected with an IMError: the not-ready reason (2024, 3000, …) before
// SDK_READY, as every method that needs it, and code 2998 after.

// ---------------------------------------------------------------------------------------------
// Module object

declare namespace TIM {
  /** Returns the SDK instance of `options.SDKAppID`; the same instance for the same SDKAppID. */
  function create(options: CREATE_OPTIONS): ChatSDK;

  /** The official SDK version whose API this package reproduces (`'2.27.6'`). */
  const VERSION: string;

  /** Event names for `tim.on` / `tim.off` / `tim.once`; listeners get `{name, data}`. */
  enum EVENT {
    /** Logged in and synced; APIs that need the SDK ready work from now on. `data`: none. */
    SDK_READY = 'sdkStateReady',
    /** The SDK is no longer ready (logged out or kicked out). `data`: none. */
    SDK_NOT_READY = 'sdkStateNotReady',
    /** The instance was destroyed. `data`: `{SDKAppID}`. */
    SDK_DESTROY = 'sdkDestroy',
    /** New messages arrived (pushed, or synced after a reconnect). `data`: `Message[]`. */
    MESSAGE_RECEIVED = 'onMessageReceived',
    /** Messages were modified (e.g. by a server callback). `data`: `Message[]`. */
    MESSAGE_MODIFIED = 'onMessageModified',
    /** Messages were recalled. `data`: `Message[]`, each with `isRevoked: true`. */
    MESSAGE_REVOKED = 'onMessageRevoked',
    /** The peer read one-to-one messages. `data`: `Message[]`. */
    MESSAGE_READ_BY_PEER = 'onMessageReadByPeer',
    /** Read receipts arrived. `data`: `MessageReadReceipt[]`. */
    MESSAGE_READ_RECEIPT_RECEIVED = 'onMessageReadReceiptReceived',
    /** Message extensions were set. `data`: `{messageID, extensions}`. */
    MESSAGE_EXTENSIONS_UPDATED = 'onMessageExtensionsUpdated',
    /** Message extensions were deleted. `data`: `{messageID, keyList}`. */
    MESSAGE_EXTENSIONS_DELETED = 'onMessageExtensionsDeleted',
    /** The conversation list changed. `data`: the whole `Conversation[]`. */
    CONVERSATION_LIST_UPDATED = 'onConversationListUpdated',
    /** The total unread count changed. `data`: the new count. */
    TOTAL_UNREAD_MESSAGE_COUNT_UPDATED = 'onTotalUnreadMessageCountUpdated',
    /** The list of conversation groups changed. `data`: group names. */
    CONVERSATION_GROUP_LIST_UPDATED = 'onConversationGroupListUpdated',
    /** Conversations of a conversation group changed. `data`: `{groupName, conversationList}`. */
    CONVERSATION_IN_GROUP_UPDATED = 'onConversationInGroupUpdated',
    /** The joined-group list changed. `data`: `Group[]`. */
    GROUP_LIST_UPDATED = 'onGroupListUpdated',
    /** A group system notice. `data`: `{message, type}`. */
    GROUP_SYSTEM_NOTICE_RECEIVED = 'receiveGroupSystemNotice',
    /** Group attributes changed. `data`: `{groupID, groupAttributes}`. */
    GROUP_ATTRIBUTES_UPDATED = 'groupAttributesUpdated',
    /** A group counter changed. `data`: `{groupID, key, value}`. */
    GROUP_COUNTER_UPDATED = 'onGroupCounterUpdated',
    /** A topic was created. `data`: `{groupID, topicID}`. */
    TOPIC_CREATED = 'onTopicCreated',
    /** Topics were deleted. `data`: `{groupID, topicIDList}`. */
    TOPIC_DELETED = 'onTopicDeleted',
    /** A topic changed. `data`: `{groupID, topic}`. */
    TOPIC_UPDATED = 'onTopicUpdated',
    /** Profiles of the user or of friends changed. `data`: `Profile[]`. */
    PROFILE_UPDATED = 'onProfileUpdated',
    /** Statuses of subscribed users or friends changed. `data`: `UserStatus[]`. */
    USER_STATUS_UPDATED = 'onUserStatusUpdated',
    /** The blocklist changed. `data`: the blocked userIDs. */
    BLACKLIST_UPDATED = 'blacklistUpdated',
    /** The friend list changed. `data`: `Friend[]`. */
    FRIEND_LIST_UPDATED = 'onFriendListUpdated',
    /** The friend groups changed. `data`: `FriendGroup[]`. */
    FRIEND_GROUP_LIST_UPDATED = 'onFriendGroupListUpdated',
    /** Friend requests changed. `data`: `{friendApplicationList, unreadCount}`. */
    FRIEND_APPLICATION_LIST_UPDATED = 'onFriendApplicationListUpdated',
    /** This instance was logged out by the server. `data.type`: one of `TIM.TYPES.KICKED_OUT_*`. */
    KICKED_OUT = 'kickedOut',
    /** An SDK error, e.g. an API called before SDK_READY (whose promise rejects too).
     * `data`: `{code, message}`. */
    ERROR = 'error',
    /** The connection state changed. `data.state`: one of `TIM.TYPES.NET_STATE_*`. */
    NET_STATE_CHANGE = 'netStateChange',
    /** The SDK reloaded its state. `data`: none. */
    SDK_RELOAD = 'sdkReload',
  }

  /** Constants: message, conversation and group types, profile values, states. */
  enum TYPES {
    MSG_TEXT = 'TIMTextElem',
    MSG_IMAGE = 'TIMImageElem',
    MSG_SOUND = 'TIMSoundElem',
    MSG_AUDIO = 'TIMSoundElem',
    MSG_FILE = 'TIMFileElem',
    MSG_FACE = 'TIMFaceElem',
    MSG_VIDEO = 'TIMVideoFileElem',
    MSG_GEO = 'TIMLocationElem',
    MSG_LOCATION = 'TIMLocationElem',
    MSG_GRP_TIP = 'TIMGroupTipElem',
    MSG_GRP_SYS_NOTICE = 'TIMGroupSystemNoticeElem',
    MSG_CUSTOM = 'TIMCustomElem',
    MSG_MERGER = 'TIMRelayElem',
    MSG_PRIORITY_HIGH = 'High',
    MSG_PRIORITY_NORMAL = 'Normal',
    MSG_PRIORITY_LOW = 'Low',
    MSG_PRIORITY_LOWEST = 'Lowest',
    CONV_C2C = 'C2C',
    CONV_GROUP = 'GROUP',
    CONV_TOPIC = 'TOPIC',
    CONV_SYSTEM = '@TIM#SYSTEM',
    CONV_AT_ME = 1,
    CONV_AT_ALL = 2,
    CONV_AT_ALL_AT_ME = 3,
    CONV_MARK_TYPE_STAR = 1,
    CONV_MARK_TYPE_UNREAD = 2,
    CONV_MARK_TYPE_FOLD = 4,
    CONV_MARK_TYPE_HIDE = 8,
    GRP_PRIVATE = 'Private',
    GRP_WORK = 'Private',
    GRP_PUBLIC = 'Public',
    GRP_CHATROOM = 'ChatRoom',
    GRP_MEETING = 'ChatRoom',
    GRP_AVCHATROOM = 'AVChatRoom',
    GRP_COMMUNITY = 'Community',
    GRP_MBR_ROLE_OWNER = 'Owner',
    GRP_MBR_ROLE_ADMIN = 'Admin',
    GRP_MBR_ROLE_MEMBER = 'Member',
    GRP_MBR_ROLE_CUSTOM = 'Custom',
    GRP_TIP_MBR_JOIN = 1,
    GRP_TIP_MBR_QUIT = 2,
    GRP_TIP_MBR_KICKED_OUT = 3,
    GRP_TIP_MBR_SET_ADMIN = 4,
    GRP_TIP_MBR_CANCELED_ADMIN = 5,
    GRP_TIP_GRP_PROFILE_UPDATED = 6,
    GRP_TIP_MBR_PROFILE_UPDATED = 7,
    GRP_TIP_BAN_AVCHATROOM_MEMBER = 10,
    GRP_TIP_UNBAN_AVCHATROOM_MEMBER = 11,
    MSG_REMIND_ACPT_AND_NOTE = 'AcceptAndNotify',
    MSG_REMIND_ACPT_NOT_NOTE = 'AcceptNotNotify',
    MSG_REMIND_DISCARD = 'Discard',
    GENDER_UNKNOWN = 'Gender_Type_Unknown',
    GENDER_FEMALE = 'Gender_Type_Female',
    GENDER_MALE = 'Gender_Type_Male',
    KICKED_OUT_MULT_ACCOUNT = 'multipleAccount',
    KICKED_OUT_MULT_DEVICE = 'multipleDevice',
    KICKED_OUT_USERSIG_EXPIRED = 'userSigExpired',
    KICKED_OUT_REST_API = 'REST_API_Kick',
    ALLOW_TYPE_ALLOW_ANY = 'AllowType_Type_AllowAny',
    ALLOW_TYPE_NEED_CONFIRM = 'AllowType_Type_NeedConfirm',
    ALLOW_TYPE_DENY_ANY = 'AllowType_Type_DenyAny',
    FORBID_TYPE_NONE = 'AdminForbid_Type_None',
    FORBID_TYPE_SEND_OUT = 'AdminForbid_Type_SendOut',
    JOIN_OPTIONS_FREE_ACCESS = 'FreeAccess',
    JOIN_OPTIONS_NEED_PERMISSION = 'NeedPermission',
    JOIN_OPTIONS_DISABLE_APPLY = 'DisableApply',
    JOIN_STATUS_SUCCESS = 'JoinedSuccess',
    JOIN_STATUS_ALREADY_IN_GROUP = 'AlreadyInGroup',
    JOIN_STATUS_WAIT_APPROVAL = 'WaitAdminApproval',
    INVITE_OPTIONS_DISABLE_INVITE = 'DisableInvite',
    INVITE_OPTIONS_NEED_PERMISSION = 'NeedPermission',
    INVITE_OPTIONS_FREE_ACCESS = 'FreeAccess',
    GRP_PROFILE_OWNER_ID = 'ownerID',
    GRP_PROFILE_CREATE_TIME = 'createTime',
    GRP_PROFILE_LAST_INFO_TIME = 'lastInfoTime',
    GRP_PROFILE_MEMBER_NUM = 'memberNum',
    GRP_PROFILE_MAX_MEMBER_NUM = 'maxMemberNum',
    GRP_PROFILE_JOIN_OPTION = 'joinOption',
    GRP_PROFILE_INVITE_OPTION = 'inviteOption',
    GRP_PROFILE_INTRODUCTION = 'introduction',
    GRP_PROFILE_NOTIFICATION = 'notification',
    GRP_PROFILE_MUTE_ALL_MBRS = 'muteAllMembers',
    SNS_ADD_TYPE_SINGLE = 'Add_Type_Single',
    SNS_ADD_TYPE_BOTH = 'Add_Type_Both',
    SNS_DELETE_TYPE_SINGLE = 'Delete_Type_Single',
    SNS_DELETE_TYPE_BOTH = 'Delete_Type_Both',
    SNS_APPLICATION_TYPE_BOTH = 'Pendency_Type_Both',
    SNS_APPLICATION_SENT_TO_ME = 'Pendency_Type_ComeIn',
    SNS_APPLICATION_SENT_BY_ME = 'Pendency_Type_SendOut',
    SNS_APPLICATION_AGREE = 'Response_Action_Agree',
    SNS_APPLICATION_AGREE_AND_ADD = 'Response_Action_AgreeAndAdd',
    SNS_CHECK_TYPE_BOTH = 'CheckResult_Type_Both',
    SNS_CHECK_TYPE_SINGLE = 'CheckResult_Type_Single',
    SNS_TYPE_NO_RELATION = 'CheckResult_Type_NoRelation',
    SNS_TYPE_A_WITH_B = 'CheckResult_Type_AWithB',
    SNS_TYPE_B_WITH_A = 'CheckResult_Type_BWithA',
    SNS_TYPE_BOTH_WAY = 'CheckResult_Type_BothWay',
    NET_STATE_CONNECTED = 'connected',
    NET_STATE_CONNECTING = 'connecting',
    NET_STATE_DISCONNECTED = 'disconnected',
    MSG_AT_ALL = '__kImSDK_MesssageAtALL__',
    READ_ALL_C2C_MSG = 'readAllC2CMessage',
    READ_ALL_GROUP_MSG = 'readAllGroupMessage',
    READ_ALL_MSG = 'readAllMessage',
    USER_STATUS_UNKNOWN = 0,
    USER_STATUS_ONLINE = 1,
    USER_STATUS_OFFLINE = 2,
    USER_STATUS_UNLOGINED = 3,
  }
}

export default TIM;

// ---------------------------------------------------------------------------------------------
// create

/** Options of `TIM.create`. Official options not used by tim-wasm are accepted and ignored. */
export interface CREATE_OPTIONS {
  /** The app's SDKAppID, as configured on the server. */
  SDKAppID: number;
  /** tim-wasm: base URL of the tim-server, e.g. `https://im.example.com`; default: the page's origin. */
  serverURL?: string;
  /** tim-wasm: WebSocket constructor to use instead of the global `WebSocket`. */
  WebSocket?: any;
  /**
   * tim-wasm: the platform the login reports, which the app's login policy counts (default:
   * `web` in browsers and bundles, `node` in Node); e.g. `windows` or `mac` in an Electron app.
   */
  platform?: 'web' | 'miniprogram' | 'node' | 'android' | 'ios' | 'ipad' | 'windows' | 'mac';
  /** tim-wasm: ms a live connection may stay silent before a heartbeat goes out (default 5000). */
  heartbeatInterval?: number;
  /** tim-wasm: ms without any frame after which the connection counts as dead (default 12000). */
  deadSocketTimeout?: number;
  /** tim-wasm: cap of the reconnection backoff in ms (default 30000; exponential, full jitter). */
  reconnectMaxDelay?: number;
  oversea?: boolean;
  unlimitedAVChatRoom?: boolean;
  devMode?: boolean;
  proxyServer?: string;
  fileUploadProxy?: string;
  fileDownloadProxy?: string;
  [officialOption: string]: any;
}

// ---------------------------------------------------------------------------------------------
// Results, errors, events

/** What every successful API promise resolves with. */
export interface IMResponse<T = any> {
  /** 0 on success. */
  code: number;
  data: T;
}

/** What a failed API promise rejects with: an Error with the official numeric `code`. */
export interface IMError extends Error {
  code: number;
  message: string;
  /** For a failed `sendMessage`: `{message}`, the message with status `fail`. */
  data?: any;
}

/** What the API methods return. */
export type IMPromise<T = ResponseData> = Promise<IMResponse<T>>;

/** A result object; fields not declared here may be read and are typed `any`. */
export interface ResponseData {
  [field: string]: any;
}

export type KickedOutType =
  | TIM.TYPES.KICKED_OUT_MULT_ACCOUNT
  | TIM.TYPES.KICKED_OUT_MULT_DEVICE
  | TIM.TYPES.KICKED_OUT_USERSIG_EXPIRED
  | TIM.TYPES.KICKED_OUT_REST_API;

export type NetState =
  | TIM.TYPES.NET_STATE_CONNECTED
  | TIM.TYPES.NET_STATE_CONNECTING
  | TIM.TYPES.NET_STATE_DISCONNECTED;

export type UserStatusType =
  | TIM.TYPES.USER_STATUS_UNKNOWN
  | TIM.TYPES.USER_STATUS_ONLINE
  | TIM.TYPES.USER_STATUS_OFFLINE
  | TIM.TYPES.USER_STATUS_UNLOGINED;

export interface MessageReadReceipt {
  conversationID: string;
  messageID: string;
  /** Group messages: members who read it. */
  readCount?: number;
  /** Group messages: members who have not read it. */
  unreadCount?: number;
  [field: string]: any;
}

export interface MessageExtension {
  key: string;
  value: string;
}

export interface UserStatus {
  userID: string;
  statusType: UserStatusType;
  customStatus: string;
  [field: string]: any;
}

/** The `data` of each event, by event name (the string values of `TIM.EVENT`). */
export interface EventDataMap {
  sdkStateReady: unknown;
  sdkStateNotReady: unknown;
  sdkDestroy: { SDKAppID: number; [field: string]: any };
  onMessageReceived: Message[];
  onMessageModified: Message[];
  onMessageRevoked: Message[];
  onMessageReadByPeer: Message[];
  onMessageReadReceiptReceived: MessageReadReceipt[];
  onMessageExtensionsUpdated: {
    messageID: string;
    extensions: MessageExtension[];
    [field: string]: any;
  };
  onMessageExtensionsDeleted: { messageID: string; keyList: string[]; [field: string]: any };
  onConversationListUpdated: Conversation[];
  onTotalUnreadMessageCountUpdated: number;
  onConversationGroupListUpdated: string[];
  onConversationInGroupUpdated: {
    groupName: string;
    conversationList: Conversation[];
    [field: string]: any;
  };
  onGroupListUpdated: Group[];
  receiveGroupSystemNotice: { message: Message; type: number; [field: string]: any };
  groupAttributesUpdated: {
    groupID: string;
    groupAttributes: { [key: string]: string };
    [field: string]: any;
  };
  onGroupCounterUpdated: { groupID: string; key: string; value: number; [field: string]: any };
  onTopicCreated: { groupID: string; topicID: string; [field: string]: any };
  onTopicDeleted: { groupID: string; topicIDList: string[]; [field: string]: any };
  onTopicUpdated: { groupID: string; topic: Topic; [field: string]: any };
  onProfileUpdated: Profile[];
  onUserStatusUpdated: UserStatus[];
  blacklistUpdated: string[];
  onFriendListUpdated: Friend[];
  onFriendGroupListUpdated: FriendGroup[];
  onFriendApplicationListUpdated: {
    friendApplicationList: FriendApplication[];
    unreadCount: number;
    [field: string]: any;
  };
  kickedOut: { type: KickedOutType };
  error: { code: number; message: string };
  netStateChange: { state: NetState };
  sdkReload: unknown;
}

/** An event name: a `TIM.EVENT` member or its string value. */
export type EventName = keyof EventDataMap;

/** What a listener of event `K` receives. */
export interface TIMEvent<K extends EventName = EventName> {
  name: K;
  data: EventDataMap[K];
}

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/** A listener for names not known statically (a `string`, a union of names, another name). */
export type AnyEventHandler = ((event: any) => void) | Function;

/** The listener type for event `K`: typed for one known event, loose otherwise. */
export type EventHandler<K extends string> = string extends K
  ? AnyEventHandler
  : true extends IsUnion<K>
    ? AnyEventHandler
    : K extends EventName
      ? (event: TIMEvent<K>) => void
      : AnyEventHandler;

/** Accepts a value typed as the bare `Function` (as the official `on` did), no other callable. */
type BareFunction<H> = H extends (...args: any[]) => any ? never : H;

/** Accepts a value typed as the bare `Object` (as the official `registerPlugin` did). */
type BareObject<T> = Object extends T ? T : never;

// ---------------------------------------------------------------------------------------------
// Objects the SDK hands to the app

export interface Message {
  /** Unique message ID. */
  ID: string;
  /** `TIM.TYPES.MSG_*`: the kind of `payload`. */
  type: TIM.TYPES;
  /** Content; its fields depend on `type` (e.g. `{text}` for MSG_TEXT). */
  payload: any;
  /** `C2C<userID>`, `GROUP<groupID>` or `@TIM#SYSTEM`. */
  conversationID: string;
  /** `TIM.TYPES.CONV_*`. */
  conversationType: TIM.TYPES;
  to: string;
  from: string;
  /** `'in'` received, `'out'` sent. */
  flow: string;
  /** Unix time in seconds. */
  time: number;
  /** `'unSend'`, `'success'` or `'fail'`. */
  status: string;
  isRevoked: boolean;
  priority: TIM.TYPES;
  nick: string;
  avatar: string;
  isPeerRead: boolean;
  nameCard: string;
  atUserList: Array<string>;
  cloudCustomData: string;
  isDeleted: boolean;
  isModified: boolean;
  needReadReceipt: boolean;
  readReceiptInfo: any;
  isBroadcastMessage: boolean;
  // Fields below are set by the SDK but absent from the official typings, hence optional here.
  /** Place of the message in its conversation; 0 until stored. */
  sequence?: number;
  random?: number;
  /** Whether the logged-in user has read it. */
  isRead?: boolean;
  isResend?: boolean;
  /** userID of whoever recalled it, when recalled. */
  revoker?: string;
  clientSequence?: number;
  clientTime?: number;
}

/** A message inside a merged (MSG_MERGER) message. */
export interface SimplifiedMessage {
  ID: string;
  nick: string;
  avatar: string;
  from: string;
  messageBody: Array<any>;
  time: number;
  cloudCustomData: string;
}

export interface Conversation {
  conversationID: string;
  type: TIM.TYPES;
  unreadCount: number;
  /** `{lastTime, lastSequence, fromAccount, messageForShow, payload, type, isRevoked, ...}`. */
  lastMessage: any;
  groupProfile: Group;
  userProfile: Profile;
  /** The unread group messages that mention the user: `atTypeArray[0]` is CONV_AT_ME, CONV_AT_ALL or CONV_AT_ALL_AT_ME. */
  groupAtInfoList: Array<{ groupID: string; messageSequence: number; atTypeArray: number[] }>;
  remark: string;
  isPinned: boolean;
  messageRemindType: TIM.TYPES;
  markList: Array<number>;
  customData: string;
  conversationGroupList: Array<string>;
  /** One-to-one: time up to which the peer has read (absent from the official typings). */
  peerReadTime?: number;
}

export interface Group {
  groupID: string;
  name: string;
  avatar: string;
  type: TIM.TYPES;
  introduction: string;
  notification: string;
  ownerID: string;
  createTime: string;
  infoSequence: number;
  lastInfoTime: number;
  /** `{role, joinTime, nameCard, messageRemindType}` of the logged-in user. */
  selfInfo: any;
  lastMessage: any;
  nextMessageSeq: number;
  memberCount: number;
  maxMemberCount: number;
  muteAllMembers: boolean;
  joinOption: TIM.TYPES;
  inviteOption: TIM.TYPES;
  groupCustomField: Array<any>;
  isSupportTopic: boolean;
}

export interface Profile {
  userID: string;
  nick: string;
  gender: TIM.TYPES;
  birthday: number;
  location: string;
  selfSignature: string;
  allowType: TIM.TYPES;
  language: number;
  avatar: string;
  messageSettings: number;
  adminForbidType: TIM.TYPES;
  level: number;
  role: number;
  /** Time of the last profile change (absent from the official typings). */
  lastUpdatedTime?: number;
  /**
   * @deprecated Declared by the official typings but not set by the official SDK at runtime;
   * read `lastUpdatedTime`.
   */
  lastUpdatedNumber: number;
  /** `[{key, value}]`. */
  profileCustomField: Array<any>;
}

export interface Friend {
  userID: string;
  remark: string;
  groupList: Array<string>;
  source: string;
  wording: string;
  profile: Profile;
  friendCustomField: Array<any>;
}

export interface FriendApplication {
  userID: string;
  avatar: string;
  nick: string;
  time: number;
  source: string;
  wording: string;
  /** `TIM.TYPES.SNS_APPLICATION_SENT_TO_ME` or `SNS_APPLICATION_SENT_BY_ME`. */
  type: TIM.TYPES;
}

export interface FriendGroup {
  name: string;
  userIDList: Array<string>;
  count: number;
}

export interface GroupMember {
  userID: string;
  avatar: string;
  nick: string;
  /** `TIM.TYPES.GRP_MBR_ROLE_*` value. */
  role: string;
  joinTime: number;
  nameCard: string;
  /** Unix time in seconds until which the member is muted. */
  muteUntil: number;
  memberCustomField: Array<any>;
}

export interface Topic {
  topicID: string;
  topicName: string;
  avatar: string;
  introduction: string;
  notification: string;
  unreadCount: number;
  muteAllMembers: boolean;
  customData: string;
  groupAtInfoList: Array<any>;
  lastMessage: any;
  selfInfo: any;
}

// ---------------------------------------------------------------------------------------------
// Plugins

/** What the SDK calls on an upload plugin instance (the contract of tim-upload-plugin). */
export interface UploadPlugin {
  uploadFile(
    options: {
      /** Where to upload the body (the official plugin sends an HTTP PUT). */
      url: string;
      /** 1 image, 2 video, 3 audio, 255 file. */
      fileType: number;
      fileName: string;
      /** A File/Blob on the web, a temporary file path in a Mini Program. */
      resources: any;
      downloadUrl?: string;
      thumbUrl?: string;
      largeUrl?: string;
      onProgress?: (progress: { total: number; loaded: number; percent: number }) => void;
      [field: string]: any;
    },
    callback: (
      error: { code?: number; message?: string } | null,
      result?: { statusCode?: number; headers?: any; data: { location: string } },
    ) => void,
  ): void;
}

/** A plugin class; the SDK constructs it with `new Plugin()`. */
export type PluginConstructor = new () => unknown;

/** `tim.registerPlugin` argument: plugin classes by name. */
export interface PLUGIN_OPTIONS {
  'tim-upload-plugin'?: PluginConstructor;
  [pluginName: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Parameters

export interface LOGIN_OPTIONS {
  userID: string;
  /** TLSSigAPIv2 signature of `userID`, minted by the app's back end. */
  userSig: string;
}

/** Common options of the `createXxxMessage` APIs; `P` is the payload of the message kind. */
export interface MESSAGE_OPTIONS<P = any> {
  /** userID (C2C) or groupID (GROUP). */
  to: string;
  /** `TIM.TYPES.CONV_C2C` or `TIM.TYPES.CONV_GROUP`. */
  conversationType: TIM.TYPES;
  /** Group messages: `TIM.TYPES.MSG_PRIORITY_*`. */
  priority?: TIM.TYPES;
  payload: P;
  /** Free string stored and delivered with the message. */
  cloudCustomData?: string;
  needReadReceipt?: boolean;
  /** Group messages: send only to these members. */
  receiverList?: Array<string>;
  /** File messages: upload progress, `percent` from 0 to 1. */
  onProgress?: ((percent: number) => void) | Function;
  isSupportExtension?: boolean;
}

// Payloads of the create APIs: the documented fields are typed; other fields are let through
// (the official typings took `payload: any`).

export interface TEXT_PAYLOAD {
  text: string;
  [field: string]: any;
}

export interface TEXT_AT_PAYLOAD {
  text: string;
  /** userIDs, and/or `TIM.TYPES.MSG_AT_ALL`. */
  atUserList: Array<string | TIM.TYPES>;
  [field: string]: any;
}

export interface FILE_PAYLOAD {
  /** An `<input type="file">` element, a File/Blob, or a Mini Program chooseXxx result. */
  file: any;
  [field: string]: any;
}

export interface CUSTOM_PAYLOAD {
  data?: string;
  description?: string;
  extension?: string;
  [field: string]: any;
}

export interface FACE_PAYLOAD {
  index: number;
  data: string;
  [field: string]: any;
}

export interface LOCATION_PAYLOAD {
  description: string;
  longitude: number;
  latitude: number;
  [field: string]: any;
}

export interface MERGER_PAYLOAD {
  messageList: Array<Message>;
  title: string;
  abstractList: Array<string>;
  compatibleText: string;
  [field: string]: any;
}

export interface SEND_MESSAGE_OPTIONS {
  /** Deliver only to online receivers; nothing stored. */
  onlineUserOnly?: boolean;
  offlinePushInfo?: {
    disablePush?: boolean;
    title?: string;
    description?: string;
    extension?: string;
    [field: string]: any;
  };
  messageControlInfo?: {
    excludedFromUnreadCount?: boolean;
    excludedFromLastMessage?: boolean;
    [field: string]: any;
  };
  [option: string]: any;
}

export interface GET_MESSAGE_LIST_OPTIONS {
  conversationID: string;
  /** Omit (or undefined) for the newest page; then the `nextReqMessageID` of the previous page. */
  nextReqMessageID?: string | undefined;
}

export interface GET_MESSAGE_LIST_HOPPING_OPTIONS {
  conversationID: string;
  /** Group messages: the sequence to start from. */
  sequence?: number;
  /** One-to-one messages: the time to start from. */
  time?: number;
  /** 0 older (default), 1 newer. */
  direction?: number;
}

export interface SET_MESSAGE_READ_OPTIONS {
  conversationID: string;
}

export interface PIN_CONVERSATION_OPTIONS {
  conversationID: string;
  isPinned: boolean;
}

export interface SET_ALL_MESSAGE_READ_OPTIONS {
  /** `TIM.TYPES.READ_ALL_C2C_MSG`, `READ_ALL_GROUP_MSG` or `READ_ALL_MSG`. */
  scope: TIM.TYPES;
}

export interface SET_MESSAGE_REMIND_TYPE_OPTIONS {
  groupID?: string;
  userIDList?: Array<string>;
  /** `TIM.TYPES.MSG_REMIND_*`. */
  messageRemindType: TIM.TYPES;
}

export interface GET_GROUP_MESSAGE_READ_MEMBER_LIST_OPTIONS {
  message: Message;
  /** '' for the first page, then the `cursor` of the previous result. */
  cursor: string;
  /** 0 read, 1 unread. */
  filter: number;
  count: number;
}

export interface DELETE_CONVERSATION_OPTIONS {
  conversationIDList: Array<string>;
  /** Also delete the messages (default true). */
  clearHistoryMessage?: boolean;
}

export interface SET_CONVERSATION_CUSTOM_DATA_OPTIONS {
  conversationIDList: Array<string>;
  customData: string;
}

export interface MARK_CONVERSATION_OPTIONS {
  conversationIDList: Array<string>;
  /** `TIM.TYPES.CONV_MARK_TYPE_*`. */
  markType: number;
  enableMark: boolean;
}

export interface CREATE_CONVERSATION_GROUP_OPTIONS {
  conversationIDList: Array<string>;
  groupName: string;
}

export interface RENAME_CONVERSATION_GROUP_OPTIONS {
  oldName: string;
  newName: string;
}

export interface ADD_CONVERSATIONS_TO_GROUP_OPTIONS {
  conversationIDList: Array<string>;
  groupName: string;
}

export interface DELETE_CONVERSATIONS_FROM_GROUP_OPTIONS {
  conversationIDList: Array<string>;
  groupName: string;
}

export interface GET_USER_PROFILE_OPTIONS {
  userIDList: Array<string>;
}

export interface UPDATE_MY_PROFILE_OPTIONS {
  nick?: string;
  avatar?: string;
  /** `TIM.TYPES.GENDER_*`. */
  gender?: TIM.TYPES;
  selfSignature?: string;
  /** `TIM.TYPES.ALLOW_TYPE_*`. */
  allowType?: TIM.TYPES;
  /** e.g. 20000101. */
  birthday?: number;
  location?: string;
  language?: number;
  /** 0 receive messages, 1 do not. */
  messageSettings?: number;
  /** `TIM.TYPES.FORBID_TYPE_*`. */
  adminForbidType?: TIM.TYPES;
  level?: number;
  role?: number;
  /** `[{key, value}]`. */
  profileCustomField?: Array<any>;
}

export interface ADD_TO_BLOCKLIST_LIST_OPTIONS {
  userIDList: Array<string>;
}

export interface REMOVE_FROM_BLOCKLIST_LIST_OPTIONS {
  userIDList: Array<string>;
}

export interface SET_SELF_STATUS_OPTIONS {
  customStatus: string;
}

export interface GET_USER_STATUS_OPTIONS {
  userIDList: Array<string>;
}

export interface SUBSCRIBE_USER_STATUS_OPTIONS {
  userIDList: Array<string>;
}

export interface UNSUBSCRIBE_USER_STATUS_OPTIONS {
  /** Omit (or undefined) to unsubscribe from everyone. */
  userIDList?: Array<string> | undefined;
}

export interface ADD_FRIEND_OPTIONS {
  to: string;
  /** `AddSource_Type_<keyword>`. */
  source: string;
  wording?: string;
  /** `TIM.TYPES.SNS_ADD_TYPE_*`. */
  type?: TIM.TYPES;
  remark?: string;
  groupName?: string;
}

export interface DELETE_FRIEND_OPTIONS {
  userIDList: Array<string>;
  /** `TIM.TYPES.SNS_DELETE_TYPE_*`. */
  type?: TIM.TYPES;
}

export interface CHECK_FRIEND_OPTIONS {
  userIDList: Array<string>;
  /** `TIM.TYPES.SNS_CHECK_TYPE_*`. */
  type: TIM.TYPES;
}

export interface GET_FRIEND_PROFILE_OPTIONS {
  userIDList: Array<string>;
}

export interface UPDATE_FRIEND_OPTIONS {
  userID: string;
  remark?: string;
  friendCustomField?: Array<any>;
}

export interface ACCEPT_FRIEND_APPLICATION_OPTIONS {
  userID: string;
  remark?: string;
  /** `TIM.TYPES.SNS_APPLICATION_AGREE` or `SNS_APPLICATION_AGREE_AND_ADD`. */
  type: TIM.TYPES;
}

export interface REFUSE_FRIEND_APPLICATION_OPTIONS {
  userID: string;
}

export interface DELETE_FRIEND_APPLICATION_OPTIONS {
  userID: string;
  /** `TIM.TYPES.SNS_APPLICATION_SENT_TO_ME` or `SNS_APPLICATION_SENT_BY_ME`. */
  type: TIM.TYPES;
}

export interface CREATE_FRIEND_GROUP_OPTIONS {
  name: string;
  userIDList: Array<string>;
}

export interface DELETE_FRIEND_GROUP_OPTIONS {
  name: string;
}

export interface ADD_TO_FRIEND_GROUP_OPTIONS {
  name: string;
  userIDList: Array<string>;
}

export interface REMOVE_FROM_FRIEND_GROUP_OPTIONS {
  name: string;
  userIDList: Array<string>;
}

export interface RENAME_FRIEND_GROUP_OPTIONS {
  oldName: string;
  newName: string;
}

export interface GET_GROUP_LIST_OPTIONS {
  /** Extra `TIM.TYPES.GRP_PROFILE_*` fields to fetch. */
  groupProfileFilter: Array<TIM.TYPES>;
}

export interface GET_GROUP_PROFILE_OPTIONS {
  groupID: string;
  groupCustomFieldFilter?: Array<string>;
}

export interface CREATE_GROUP_OPTIONS {
  name: string;
  /** `TIM.TYPES.GRP_*`. */
  type: TIM.TYPES;
  groupID?: string;
  introduction?: string;
  notification?: string;
  avatar?: string;
  maxMemberNum?: number;
  /** `TIM.TYPES.JOIN_OPTIONS_*`. */
  joinOption?: TIM.TYPES;
  /** `TIM.TYPES.INVITE_OPTIONS_*`. */
  inviteOption?: TIM.TYPES;
  /** `[{userID, role?, memberCustomField?}]`. */
  memberList?: Array<any>;
  groupCustomField?: Array<any>;
}

export interface UPDATE_GROUP_PROFILE_OPTIONS {
  groupID: string;
  name?: string;
  avatar?: string;
  introduction?: string;
  notification?: string;
  muteAllMembers?: boolean;
  joinOption?: TIM.TYPES;
  inviteOption?: TIM.TYPES;
  groupCustomField?: Array<any>;
}

export interface JOIN_GROUP_OPTIONS {
  groupID: string;
  applyMessage?: string;
  type?: TIM.TYPES;
}

export interface CHANGE_GROUP_OWNER_OPTIONS {
  groupID: string;
  newOwnerID: string;
}

export interface HANDLE_GROUP_APPLICATION_OPTIONS {
  /** `'Agree'` or `'Reject'`. */
  handleAction: string;
  handleMessage?: string;
  /** The group system message of the request. */
  message?: Message;
  /** An entry of `getGroupApplicationList`. */
  application?: any;
}

export interface INIT_GROUP_ATTRIBUTE_OPTIONS {
  groupID: string;
  groupAttributes: any;
}

export interface SET_GROUP_ATTRIBUTE_OPTIONS {
  groupID: string;
  groupAttributes: any;
}

export interface DELETE_GROUP_ATTRIBUTE_OPTIONS {
  groupID: string;
  /** An empty list deletes all. */
  keyList: Array<string>;
}

export interface GET_GROUP_ATTRIBUTE_OPTIONS {
  groupID: string;
  /** An empty list gets all. */
  keyList: Array<string>;
}

export interface SET_GROUP_COUNTER_OPTIONS {
  groupID: string;
  /** `{key: value}`. */
  counters: any;
}

export interface INCREASE_GROUP_COUNTER_OPTIONS {
  groupID: string;
  key: string;
  value: number;
}

export interface DECREASE_GROUP_COUNTER_OPTIONS {
  groupID: string;
  key: string;
  value: number;
}

export interface GET_GROUP_COUNTERS_OPTIONS {
  groupID: string;
  keyList?: Array<string>;
}

export interface GET_GROUP_MEMBER_LIST_OPTIONS {
  groupID: string;
  count?: number;
  offset?: number;
  filter?: number;
}

export interface GET_GROUP_MEMBER_PROFILE_OPTIONS {
  groupID: string;
  userIDList: Array<string>;
  memberCustomFieldFilter?: Array<string>;
}

export interface ADD_GROUP_MEMBER_OPTIONS {
  groupID: string;
  userIDList: Array<string>;
}

export interface DELETE_GROUP_MEMBER_OPTIONS {
  groupID: string;
  userIDList: Array<string>;
  reason?: string;
  /** Seconds during which the removed members may not rejoin. */
  duration?: number;
}

export interface SET_GROUP_MEMBER_MUTE_TIME_OPTIONS {
  groupID: string;
  userID: string;
  /** Seconds; 0 unmutes. */
  muteTime: number;
}

export interface SET_GROUP_MEMBER_ROLE_OPTIONS {
  groupID: string;
  userID: string;
  /** `TIM.TYPES.GRP_MBR_ROLE_*`. */
  role: TIM.TYPES;
}

export interface SET_GROUP_MEMBER_NAME_CARD_OPTIONS {
  groupID: string;
  nameCard: string;
  /** Defaults to the logged-in user. */
  userID?: string;
}

export interface SET_GROUP_MEMBER_CUSTOM_FIELD_OPTIONS {
  groupID: string;
  memberCustomField: Array<any>;
  userID?: string;
}

export interface MARK_GROUP_MEMBER_LIST_OPTIONS {
  groupID: string;
  userIDList: Array<string>;
  markType: number;
  enableMark: boolean;
}

export interface CREATE_TOPIC_IN_COMMUNICATION_OPTIONS {
  groupID: string;
  topicName: string;
  topicID?: string;
  avatar?: string;
  notification?: string;
  introduction?: string;
  customData?: string;
}

export interface DELETE_TOPIC_FROM_COMMUNICATION_OPTIONS {
  groupID: string;
  /** Omit (or undefined) to delete all topics. */
  topicIDList?: Array<string> | undefined;
}

export interface UPDATE_TOPIC_PROFILE_OPTIONS {
  groupID: string;
  topicID: string;
  topicName?: string;
  avatar?: string;
  notification?: string;
  introduction?: string;
  customData?: string;
  muteAllMembers?: boolean;
}

export interface GET_TOPIC_LIST_OPTIONS {
  groupID: string;
  /** Omit (or undefined) for all topics. */
  topicIDList?: Array<string> | undefined;
}

export interface TRANSLATE_TEXT_OPTIONS {
  sourceTextList: Array<string>;
  sourceLanguage: string;
  targetLanguage: string;
}

// ---------------------------------------------------------------------------------------------
// Result data

export interface LoginResult extends ResponseData {
  /** True when this instance was already logged in as this user; nothing was done. */
  repeatLogin: boolean;
  errorInfo?: string;
}

export interface MessageResult extends ResponseData {
  message: Message;
}

export interface MessageListResult extends ResponseData {
  /** Oldest first. */
  messageList: Message[];
  /** Pass as `nextReqMessageID` to get the page before this one. */
  nextReqMessageID: string;
  /** True when there is nothing older. */
  isCompleted: boolean;
}

export interface MessageListHoppingResult extends ResponseData {
  messageList: Message[];
}

export interface ConversationListResult extends ResponseData {
  conversationList: Conversation[];
  /** Whether the list has been synced from the server. */
  isSyncCompleted?: boolean;
}

export interface ConversationResult extends ResponseData {
  conversation: Conversation;
}

export interface ConversationIDListResult extends ResponseData {
  successConversationIDList: string[];
  failureConversationIDList: Array<any>;
}

export interface GroupResult extends ResponseData {
  group: Group;
}

export interface GroupListResult extends ResponseData {
  groupList: Group[];
}

export interface GroupMemberListResult extends ResponseData {
  memberList: GroupMember[];
}

export interface FriendApplicationListResult extends ResponseData {
  friendApplicationList: FriendApplication[];
  unreadCount: number;
}

export interface TopicListResult extends ResponseData {
  successTopicList: Topic[];
  failureTopicList: Array<any>;
}

// ---------------------------------------------------------------------------------------------
// The instance

/** The instance `TIM.create` returns. Not a runtime export: use it as a type. */
export interface ChatSDK {
  // ----- account and lifecycle

  /**
   * Logs in. Resolves once the server accepted the UserSig; SDK_READY follows when synced.
   * Throws synchronously when `userID` or `userSig` is missing.
   */
  login(options: LOGIN_OPTIONS): IMPromise<LoginResult>;
  /** Logs out this instance (other sessions of the user go on); fires SDK_NOT_READY. */
  logout(): Promise<void>;
  /** Logs out, closes the connection and releases the instance. */
  destroy(): Promise<void>;

  /** Listens for an event; `context` becomes `this` of the handler. */
  on<K extends string>(eventName: K, handler: EventHandler<K>, context?: any): void;
  on<H extends Function>(eventName: string, handler: BareFunction<H>, context?: any): void;
  /** Removes a listener added with `on` (same handler and context). */
  off<K extends string>(eventName: K, handler: EventHandler<K>, context?: any): void;
  off<H extends Function>(eventName: string, handler: BareFunction<H>, context?: any): void;
  /** Listens for the next occurrence of an event only. */
  once<K extends string>(eventName: K, handler: EventHandler<K>, context?: any): void;
  once<H extends Function>(eventName: string, handler: BareFunction<H>, context?: any): void;

  /** Registers plugins, e.g. `{'tim-upload-plugin': TIMUploadPlugin}`. */
  registerPlugin(options: PLUGIN_OPTIONS): void;
  registerPlugin<T extends Object>(options: BareObject<T>): void;
  /** 0 all logs, 1 release, 2 warnings, 3 errors, 4 none. */
  setLogLevel(level: number): void;
  /** Calls an experimental API by name. */
  callExperimentalAPI(api: string, params?: any): IMPromise<any>;

  // ----- messages
  // Before SDK_READY the createXxxMessage APIs return a rejected promise instead of a Message,
  // as the official SDK does.

  createTextMessage(options: MESSAGE_OPTIONS<TEXT_PAYLOAD>): Message;
  /** Group chats: a text message that mentions members. */
  createTextAtMessage(options: MESSAGE_OPTIONS<TEXT_AT_PAYLOAD>): Message;
  createImageMessage(options: MESSAGE_OPTIONS<FILE_PAYLOAD>): Message;
  createAudioMessage(options: MESSAGE_OPTIONS<FILE_PAYLOAD>): Message;
  createVideoMessage(options: MESSAGE_OPTIONS<FILE_PAYLOAD>): Message;
  createCustomMessage(options: MESSAGE_OPTIONS<CUSTOM_PAYLOAD>): Message;
  createFaceMessage(options: MESSAGE_OPTIONS<FACE_PAYLOAD>): Message;
  createFileMessage(options: MESSAGE_OPTIONS<FILE_PAYLOAD>): Message;
  createLocationMessage(options: MESSAGE_OPTIONS<LOCATION_PAYLOAD>): Message;
  /** Merges messages of one conversation into one message. */
  createMergerMessage(options: MESSAGE_OPTIONS<MERGER_PAYLOAD>): Message;
  /** A copy of `payload` (a received or sent message) addressed to `to`. */
  createForwardMessage(options: MESSAGE_OPTIONS<Message>): Message;
  /** Fetches the content of a merged message stored on the server. */
  downloadMergerMessage(message: Message): IMPromise<Message>;
  /**
   * @deprecated Misspelt name from the official typings; the official SDK has no such method
   * at runtime. Use `downloadMergerMessage`.
   */
  downloadMergeMessage(options: any): any;
  /** Sends a created message; resolves with it as stored (status `success`). */
  sendMessage(message: Message, options?: SEND_MESSAGE_OPTIONS): IMPromise<MessageResult>;
  revokeMessage(message: Message): IMPromise<MessageResult>;
  /** Sends again a message whose sending failed. */
  resendMessage(message: Message): IMPromise<MessageResult>;
  deleteMessage(messageList: Array<Message>): IMPromise;
  modifyMessage(message: Message): IMPromise<MessageResult>;
  translateText(options: TRANSLATE_TEXT_OPTIONS): IMPromise;
  setMessageExtensions(message: Message, extensions: Array<any>): IMPromise;
  getMessageExtensions(message: Message, keyList?: Array<String>): IMPromise;
  deleteMessageExtensions(message: Message, keyList?: Array<String>): IMPromise;
  /** Message of this ID among those the instance holds, or null. */
  findMessage(messageID: string): Message | null;

  // ----- conversations

  /** A page of a conversation's messages, newest page first; page back with `nextReqMessageID`. */
  getMessageList(options: GET_MESSAGE_LIST_OPTIONS): IMPromise<MessageListResult>;
  getMessageListHopping(options: GET_MESSAGE_LIST_HOPPING_OPTIONS): IMPromise<MessageListHoppingResult>;
  /** Marks a conversation read. */
  setMessageRead(options: SET_MESSAGE_READ_OPTIONS): IMPromise;
  sendMessageReadReceipt(messageList: Array<Message>): IMPromise;
  getMessageReadReceiptList(messageList: Array<Message>): IMPromise;
  getGroupMessageReadMemberList(options: GET_GROUP_MESSAGE_READ_MEMBER_LIST_OPTIONS): IMPromise;
  /** All conversations, or those of the given IDs. */
  getConversationList(conversationIDList?: Array<string>): IMPromise<ConversationListResult>;
  getConversationProfile(conversationID: string): IMPromise<ConversationResult>;
  deleteConversation(conversationID: string | DELETE_CONVERSATION_OPTIONS): IMPromise;
  clearHistoryMessage(conversationID: string): IMPromise;
  pinConversation(options: PIN_CONVERSATION_OPTIONS): IMPromise;
  setAllMessageRead(options?: SET_ALL_MESSAGE_READ_OPTIONS): IMPromise;
  setMessageRemindType(options: SET_MESSAGE_REMIND_TYPE_OPTIONS): IMPromise;
  /** Unread messages of all conversations, muted ones excepted. */
  getTotalUnreadMessageCount(): number;
  setConversationCustomData(options: SET_CONVERSATION_CUSTOM_DATA_OPTIONS): IMPromise<ConversationIDListResult>;
  markConversation(options: MARK_CONVERSATION_OPTIONS): IMPromise<ConversationIDListResult>;
  getConversationGroupList(): IMPromise<any>;
  createConversationGroup(options: CREATE_CONVERSATION_GROUP_OPTIONS): IMPromise;
  deleteConversationGroup(groupName: string): IMPromise;
  renameConversationGroup(options: RENAME_CONVERSATION_GROUP_OPTIONS): IMPromise;
  addConversationsToGroup(options: ADD_CONVERSATIONS_TO_GROUP_OPTIONS): IMPromise<ConversationIDListResult>;
  deleteConversationsFromGroup(options: DELETE_CONVERSATIONS_FROM_GROUP_OPTIONS): IMPromise<ConversationIDListResult>;

  // ----- profiles, blocklist, user status

  getMyProfile(): IMPromise<Profile>;
  getUserProfile(options: GET_USER_PROFILE_OPTIONS): IMPromise<Profile[]>;
  updateMyProfile(options: UPDATE_MY_PROFILE_OPTIONS): IMPromise;
  /** The blocked userIDs. */
  getBlacklist(): IMPromise<string[]>;
  addToBlacklist(options: ADD_TO_BLOCKLIST_LIST_OPTIONS): IMPromise<string[]>;
  removeFromBlacklist(options: REMOVE_FROM_BLOCKLIST_LIST_OPTIONS): IMPromise<string[]>;
  setSelfStatus(options: SET_SELF_STATUS_OPTIONS): IMPromise;
  getUserStatus(options: GET_USER_STATUS_OPTIONS): IMPromise;
  subscribeUserStatus(options: SUBSCRIBE_USER_STATUS_OPTIONS): IMPromise;
  unsubscribeUserStatus(options?: UNSUBSCRIBE_USER_STATUS_OPTIONS): IMPromise;

  // ----- friends

  getFriendList(): IMPromise<Friend[]>;
  addFriend(options: ADD_FRIEND_OPTIONS): IMPromise;
  deleteFriend(options: DELETE_FRIEND_OPTIONS): IMPromise;
  checkFriend(options: CHECK_FRIEND_OPTIONS): IMPromise;
  getFriendProfile(options: GET_FRIEND_PROFILE_OPTIONS): IMPromise;
  updateFriend(options: UPDATE_FRIEND_OPTIONS): IMPromise;
  getFriendApplicationList(): IMPromise<FriendApplicationListResult>;
  acceptFriendApplication(options: ACCEPT_FRIEND_APPLICATION_OPTIONS): IMPromise;
  refuseFriendApplication(options: REFUSE_FRIEND_APPLICATION_OPTIONS): IMPromise;
  deleteFriendApplication(options: DELETE_FRIEND_APPLICATION_OPTIONS): IMPromise;
  setFriendApplicationRead(): IMPromise;
  getFriendGroupList(): IMPromise<FriendGroup[]>;
  createFriendGroup(options: CREATE_FRIEND_GROUP_OPTIONS): IMPromise;
  deleteFriendGroup(options: DELETE_FRIEND_GROUP_OPTIONS): IMPromise;
  addToFriendGroup(options: ADD_TO_FRIEND_GROUP_OPTIONS): IMPromise;
  removeFromFriendGroup(options: REMOVE_FROM_FRIEND_GROUP_OPTIONS): IMPromise;
  renameFriendGroup(options: RENAME_FRIEND_GROUP_OPTIONS): IMPromise;

  // ----- groups

  getGroupList(options?: GET_GROUP_LIST_OPTIONS | undefined): IMPromise<GroupListResult>;
  getGroupProfile(options: GET_GROUP_PROFILE_OPTIONS): IMPromise<GroupResult>;
  createGroup(options: CREATE_GROUP_OPTIONS): IMPromise<GroupResult>;
  dismissGroup(groupID: string): IMPromise;
  updateGroupProfile(options: UPDATE_GROUP_PROFILE_OPTIONS): IMPromise<GroupResult>;
  /** `data.status`: `TIM.TYPES.JOIN_STATUS_*`. */
  joinGroup(options: JOIN_GROUP_OPTIONS): IMPromise;
  quitGroup(groupID: string): IMPromise;
  searchGroupByID(groupID: string): IMPromise<GroupResult>;
  getGroupOnlineMemberCount(groupID: string): IMPromise;
  changeGroupOwner(options: CHANGE_GROUP_OWNER_OPTIONS): IMPromise<GroupResult>;
  getGroupApplicationList(options?: any): IMPromise;
  handleGroupApplication(options: HANDLE_GROUP_APPLICATION_OPTIONS): IMPromise;
  initGroupAttributes(options: INIT_GROUP_ATTRIBUTE_OPTIONS): IMPromise;
  setGroupAttributes(options: SET_GROUP_ATTRIBUTE_OPTIONS): IMPromise;
  deleteGroupAttributes(options: DELETE_GROUP_ATTRIBUTE_OPTIONS): IMPromise;
  getGroupAttributes(options: GET_GROUP_ATTRIBUTE_OPTIONS): IMPromise;
  setGroupCounters(options: SET_GROUP_COUNTER_OPTIONS): IMPromise;
  increaseGroupCounter(options: INCREASE_GROUP_COUNTER_OPTIONS): IMPromise;
  decreaseGroupCounter(options: DECREASE_GROUP_COUNTER_OPTIONS): IMPromise;
  getGroupCounters(options: GET_GROUP_COUNTERS_OPTIONS): IMPromise;

  // ----- group members

  getGroupMemberList(options: GET_GROUP_MEMBER_LIST_OPTIONS): IMPromise<GroupMemberListResult>;
  getGroupMemberProfile(options: GET_GROUP_MEMBER_PROFILE_OPTIONS): IMPromise<GroupMemberListResult>;
  addGroupMember(options: ADD_GROUP_MEMBER_OPTIONS): IMPromise;
  deleteGroupMember(options: DELETE_GROUP_MEMBER_OPTIONS): IMPromise;
  setGroupMemberMuteTime(options: SET_GROUP_MEMBER_MUTE_TIME_OPTIONS): IMPromise;
  setGroupMemberRole(options: SET_GROUP_MEMBER_ROLE_OPTIONS): IMPromise;
  setGroupMemberNameCard(options: SET_GROUP_MEMBER_NAME_CARD_OPTIONS): IMPromise;
  setGroupMemberCustomField(options: SET_GROUP_MEMBER_CUSTOM_FIELD_OPTIONS): IMPromise;
  markGroupMemberList(options: MARK_GROUP_MEMBER_LIST_OPTIONS): IMPromise;

  // ----- community topics

  getJoinedCommunityList(): IMPromise<GroupListResult>;
  createTopicInCommunity(options: CREATE_TOPIC_IN_COMMUNICATION_OPTIONS): IMPromise;
  deleteTopicFromCommunity(options: DELETE_TOPIC_FROM_COMMUNICATION_OPTIONS): IMPromise;
  updateTopicProfile(options: UPDATE_TOPIC_PROFILE_OPTIONS): IMPromise;
  getTopicList(options: GET_TOPIC_LIST_OPTIONS): IMPromise<TopicListResult>;
}
