// What our typings add to the official ones: listeners typed from the event name, typed results,
// the events and methods the official typings omit, the tim-wasm create options. Compiled
// against js/index.d.ts only.
import TIM from 'tim-wasm';
import type {
  ChatSDK,
  Conversation,
  EventDataMap,
  EventName,
  Friend,
  FriendApplication,
  FriendGroup,
  Group,
  IMError,
  IMResponse,
  KickedOutType,
  LOGIN_OPTIONS,
  Message,
  MessageExtension,
  MessageReadReceipt,
  NetState,
  Profile,
  Topic,
  UploadPlugin,
  UserStatus,
} from 'tim-wasm';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assert<T extends true>(): void {}

// ----- module object

class FakeWebSocket {}
const tim: ChatSDK = TIM.create({
  SDKAppID: 1400000000,
  serverURL: 'http://127.0.0.1:8080',
  WebSocket: FakeWebSocket,
  unlimitedAVChatRoom: true,
  anyOtherOfficialOption: 1,
});
const version: string = TIM.VERSION;
const asType: TIM.TYPES = TIM.TYPES.MSG_TEXT;
const member: TIM.TYPES.MSG_TEXT = TIM.TYPES.MSG_TEXT;
const eventValue: 'sdkStateReady' = TIM.EVENT.SDK_READY;
const numeric: number = TIM.TYPES.CONV_MARK_TYPE_HIDE;
console.log(version, asType, member, eventValue, numeric);

// ----- every instance method of tim-js-sdk 2.27.6 (and the misspelt one of its typings)

type OfficialMethods =
  | 'acceptFriendApplication' | 'addConversationsToGroup' | 'addFriend' | 'addGroupMember'
  | 'addToBlacklist' | 'addToFriendGroup' | 'callExperimentalAPI' | 'changeGroupOwner'
  | 'checkFriend' | 'clearHistoryMessage' | 'createAudioMessage' | 'createConversationGroup'
  | 'createCustomMessage' | 'createFaceMessage' | 'createFileMessage' | 'createForwardMessage'
  | 'createFriendGroup' | 'createGroup' | 'createImageMessage' | 'createLocationMessage'
  | 'createMergerMessage' | 'createTextAtMessage' | 'createTextMessage' | 'createTopicInCommunity'
  | 'createVideoMessage' | 'decreaseGroupCounter' | 'deleteConversation' | 'deleteConversationGroup'
  | 'deleteConversationsFromGroup' | 'deleteFriend' | 'deleteFriendApplication' | 'deleteFriendGroup'
  | 'deleteGroupAttributes' | 'deleteGroupMember' | 'deleteMessage' | 'deleteMessageExtensions'
  | 'deleteTopicFromCommunity' | 'destroy' | 'dismissGroup' | 'downloadMergerMessage'
  | 'findMessage' | 'getBlacklist' | 'getConversationGroupList' | 'getConversationList'
  | 'getConversationProfile' | 'getFriendApplicationList' | 'getFriendGroupList' | 'getFriendList'
  | 'getFriendProfile' | 'getGroupApplicationList' | 'getGroupAttributes' | 'getGroupCounters'
  | 'getGroupList' | 'getGroupMemberList' | 'getGroupMemberProfile' | 'getGroupMessageReadMemberList'
  | 'getGroupOnlineMemberCount' | 'getGroupProfile' | 'getJoinedCommunityList' | 'getMessageExtensions'
  | 'getMessageList' | 'getMessageListHopping' | 'getMessageReadReceiptList' | 'getMyProfile'
  | 'getTopicList' | 'getTotalUnreadMessageCount' | 'getUserProfile' | 'getUserStatus'
  | 'handleGroupApplication' | 'increaseGroupCounter' | 'initGroupAttributes' | 'joinGroup'
  | 'login' | 'logout' | 'markConversation' | 'markGroupMemberList' | 'modifyMessage' | 'off' | 'on'
  | 'once' | 'pinConversation' | 'quitGroup' | 'refuseFriendApplication' | 'registerPlugin'
  | 'removeFromBlacklist' | 'removeFromFriendGroup' | 'renameConversationGroup' | 'renameFriendGroup'
  | 'resendMessage' | 'revokeMessage' | 'searchGroupByID' | 'sendMessage' | 'sendMessageReadReceipt'
  | 'setAllMessageRead' | 'setConversationCustomData' | 'setFriendApplicationRead'
  | 'setGroupAttributes' | 'setGroupCounters' | 'setGroupMemberCustomField' | 'setGroupMemberMuteTime'
  | 'setGroupMemberNameCard' | 'setGroupMemberRole' | 'setLogLevel' | 'setMessageExtensions'
  | 'setMessageRead' | 'setMessageRemindType' | 'setSelfStatus' | 'subscribeUserStatus'
  | 'translateText' | 'unsubscribeUserStatus' | 'updateFriend' | 'updateGroupProfile'
  | 'updateMyProfile' | 'updateTopicProfile';
assert<Equal<keyof ChatSDK, OfficialMethods | 'downloadMergeMessage'>>();

// ----- listeners: the event's data is inferred from its name

assert<Equal<EventDataMap['onMessageReceived'], Message[]>>();
assert<Equal<EventName, `${TIM.EVENT}`>>();

tim.on(TIM.EVENT.SDK_READY, (event) => {
  assert<Equal<typeof event.name, TIM.EVENT.SDK_READY>>();
});
tim.on(TIM.EVENT.SDK_NOT_READY, (event) => console.log(event.name));
tim.on(TIM.EVENT.SDK_DESTROY, (event) => console.log(event.data.SDKAppID.toFixed()));
tim.on(TIM.EVENT.MESSAGE_RECEIVED, (event) => {
  assert<Equal<typeof event.data, Message[]>>();
  event.data.forEach((m) => console.log(m.ID, m.sequence, m.isRead, m.payload.text));
});
tim.on(TIM.EVENT.MESSAGE_MODIFIED, (event) => assert<Equal<typeof event.data, Message[]>>());
tim.on(TIM.EVENT.MESSAGE_REVOKED, (event) => assert<Equal<typeof event.data, Message[]>>());
tim.on(TIM.EVENT.MESSAGE_READ_BY_PEER, (event) => assert<Equal<typeof event.data, Message[]>>());
tim.on(TIM.EVENT.MESSAGE_READ_RECEIPT_RECEIVED, (event) => {
  assert<Equal<typeof event.data, MessageReadReceipt[]>>();
});
tim.on(TIM.EVENT.MESSAGE_EXTENSIONS_UPDATED, (event) => {
  const e: MessageExtension[] = event.data.extensions;
  console.log(event.data.messageID, e);
});
tim.on(TIM.EVENT.MESSAGE_EXTENSIONS_DELETED, (event) => console.log(event.data.keyList.join()));
tim.on(TIM.EVENT.CONVERSATION_LIST_UPDATED, (event) => {
  assert<Equal<typeof event.data, Conversation[]>>();
});
tim.on(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (event) => {
  assert<Equal<typeof event.data, number>>();
});
tim.on(TIM.EVENT.CONVERSATION_GROUP_LIST_UPDATED, (event) => assert<Equal<typeof event.data, string[]>>());
tim.on(TIM.EVENT.CONVERSATION_IN_GROUP_UPDATED, (event) => {
  const list: Conversation[] = event.data.conversationList;
  console.log(event.data.groupName, list);
});
tim.on(TIM.EVENT.GROUP_LIST_UPDATED, (event) => assert<Equal<typeof event.data, Group[]>>());
tim.on(TIM.EVENT.GROUP_SYSTEM_NOTICE_RECEIVED, (event) => console.log(event.data.message.ID));
tim.on(TIM.EVENT.GROUP_ATTRIBUTES_UPDATED, (event) => console.log(event.data.groupAttributes['k']));
tim.on(TIM.EVENT.GROUP_COUNTER_UPDATED, (event) => console.log(event.data.key, event.data.value + 1));
tim.on(TIM.EVENT.TOPIC_CREATED, (event) => console.log(event.data.topicID));
tim.on(TIM.EVENT.TOPIC_DELETED, (event) => console.log(event.data.topicIDList.length));
tim.on(TIM.EVENT.TOPIC_UPDATED, (event) => {
  const topic: Topic = event.data.topic;
  console.log(topic.topicName);
});
tim.on(TIM.EVENT.PROFILE_UPDATED, (event) => assert<Equal<typeof event.data, Profile[]>>());
tim.on(TIM.EVENT.USER_STATUS_UPDATED, (event) => {
  assert<Equal<typeof event.data, UserStatus[]>>();
  event.data.forEach((s) => s.statusType === TIM.TYPES.USER_STATUS_ONLINE);
});
tim.on(TIM.EVENT.BLACKLIST_UPDATED, (event) => assert<Equal<typeof event.data, string[]>>());
tim.on(TIM.EVENT.FRIEND_LIST_UPDATED, (event) => assert<Equal<typeof event.data, Friend[]>>());
tim.on(TIM.EVENT.FRIEND_GROUP_LIST_UPDATED, (event) => assert<Equal<typeof event.data, FriendGroup[]>>());
tim.on(TIM.EVENT.FRIEND_APPLICATION_LIST_UPDATED, (event) => {
  const list: FriendApplication[] = event.data.friendApplicationList;
  console.log(list, event.data.unreadCount + 1);
});
tim.on(TIM.EVENT.KICKED_OUT, (event) => {
  assert<Equal<typeof event.data.type, KickedOutType>>();
  const asOfficial: TIM.TYPES = event.data.type;
  const asString: string = event.data.type;
  if (event.data.type === TIM.TYPES.KICKED_OUT_USERSIG_EXPIRED) console.log(asOfficial, asString);
});
tim.on(TIM.EVENT.ERROR, (event) => console.log(event.data.code + 1, event.data.message));
tim.on(TIM.EVENT.NET_STATE_CHANGE, (event) => {
  assert<Equal<typeof event.data.state, NetState>>();
});
tim.on(TIM.EVENT.SDK_RELOAD, (event) => console.log(event.name));

// The string value of an event works as its name; once/off take the same listeners.
tim.on('kickedOut', (event) => event.data.type === 'multipleAccount');
const onNet = (event: { data: { state: NetState } }) => console.log(event.data.state);
tim.once(TIM.EVENT.NET_STATE_CHANGE, onNet);
tim.off(TIM.EVENT.NET_STATE_CHANGE, onNet);

// Code written against the official `on(eventName: string, handler: Function)` still compiles.
declare const someFunction: Function;
tim.on(TIM.EVENT.MESSAGE_RECEIVED, someFunction);
function subscribe(name: string, handler: Function): void {
  tim.on(name, handler);
  tim.on(name, (event) => console.log(event.anything));
}
function subscribeAny(name: TIM.EVENT, handler: (event: any) => void): void {
  tim.on(name, handler);
  tim.off(name, handler);
}
subscribe('custom', someFunction);
subscribeAny(TIM.EVENT.ERROR, () => {});

// ----- results

async function results(): Promise<void> {
  const options: LOGIN_OPTIONS = { userID: 'alice', userSig: 'sig' };
  const login = await tim.login(options);
  assert<Equal<typeof login.data.repeatLogin, boolean>>();
  const code: number = login.code;
  const undeclared: any = login.data.actionStatus; // result objects stay open, as `any` was

  const message = tim.createTextMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C, payload: { text: 'hi' } });
  const sent = await tim.sendMessage(message);
  assert<Equal<typeof sent.data.message, Message>>();

  const page = await tim.getMessageList({ conversationID: 'C2Cbob' });
  assert<Equal<typeof page.data.messageList, Message[]>>();
  assert<Equal<typeof page.data.nextReqMessageID, string>>();
  assert<Equal<typeof page.data.isCompleted, boolean>>();

  const conversations = await tim.getConversationList();
  assert<Equal<typeof conversations.data.conversationList, Conversation[]>>();
  const some = await tim.getConversationList(['C2Cbob']);
  const profile = await tim.getMyProfile();
  const group = await tim.getGroupProfile({ groupID: 'g' });
  const members = await tim.getGroupMemberList({ groupID: 'g', count: 30, offset: 0 });
  const blocked: IMResponse<string[]> = await tim.getBlacklist();
  const found: Message | null = tim.findMessage('id');
  const count: number = tim.getTotalUnreadMessageCount();
  console.log(code, undeclared, some, profile.data.nick, group.data.group.name, members.data.memberList, blocked, found, count);

  // Parameters the official typings required but the SDK does not.
  await tim.getGroupList();
  await tim.unsubscribeUserStatus();
  await tim.getTopicList({ groupID: 'g' });
  const merged = await tim.downloadMergerMessage(message);
  console.log(merged.data.payload);
  await tim.callExperimentalAPI('anything', { a: 1 });

  try {
    await tim.logout();
  } catch (e) {
    const error = e as IMError;
    console.log(error.code, error.message, error.data);
  }
}
void results();

// ----- create options of every message kind

const base = { to: 'bob', conversationType: TIM.TYPES.CONV_C2C };
tim.createTextAtMessage({ ...base, to: 'group1', conversationType: TIM.TYPES.CONV_GROUP, payload: { text: '@all', atUserList: [TIM.TYPES.MSG_AT_ALL] } });
tim.createImageMessage({ ...base, payload: { file: {} }, onProgress: (percent) => console.log(percent.toFixed(2)) });
tim.createMergerMessage({ ...base, payload: { messageList: [], title: 't', abstractList: [], compatibleText: 'c' } });
tim.createForwardMessage({ ...base, payload: tim.createTextMessage({ ...base, payload: { text: 'x' } }) });

// ----- plugins

class MyUploader implements UploadPlugin {
  uploadFile(options: Parameters<UploadPlugin['uploadFile']>[0], callback: Parameters<UploadPlugin['uploadFile']>[1]): void {
    options.onProgress?.({ total: 1, loaded: 1, percent: 1 });
    callback(null, { statusCode: 200, data: { location: options.url } });
  }
}
tim.registerPlugin({ 'tim-upload-plugin': MyUploader });
