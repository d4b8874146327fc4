// A chat app written the way the official tim-js-sdk 2.27.6 documentation shows, in strict
// TypeScript. It only uses what the official typings declare, so it must compile against them
// as well as against ours: switching is the import line below.
import TIM from 'tim-wasm';
import type { ChatSDK, Conversation, Message, Profile } from 'tim-wasm';
import TIMUploadPlugin from 'tim-upload-plugin';

const SDKAppID = 1400000000;

// With the official typings a listener is a bare `Function`, so a strict app annotates the
// event parameter itself; both typings must accept these annotations.
interface MessageEvent {
  name: string;
  data: Message[];
}

export class ChatService {
  readonly tim: ChatSDK;
  ready = false;
  messages: Message[] = [];
  conversations: Conversation[] = [];
  unread = 0;
  nextReqMessageID: string | undefined = undefined;
  isCompleted = false;
  kickedReason = '';

  constructor() {
    this.tim = TIM.create({ SDKAppID });
    this.tim.setLogLevel(1);
    this.tim.registerPlugin({ 'tim-upload-plugin': TIMUploadPlugin });
    this.listen();
  }

  private listen(): void {
    const tim = this.tim;
    tim.on(TIM.EVENT.SDK_READY, this.onReady, this);
    tim.on(TIM.EVENT.SDK_NOT_READY, () => {
      this.ready = false;
    });
    tim.on(TIM.EVENT.MESSAGE_RECEIVED, this.onMessageReceived, this);
    tim.on(TIM.EVENT.MESSAGE_MODIFIED, (event: MessageEvent) => {
      for (const m of event.data) this.replace(m);
    });
    tim.on(TIM.EVENT.MESSAGE_REVOKED, (event: { data: Message[] }) => {
      event.data.forEach((m) => this.replace(m));
    });
    tim.on(TIM.EVENT.MESSAGE_READ_BY_PEER, (event: { data: Message[] }) => {
      event.data.forEach((m) => this.replace(m));
    });
    tim.on(TIM.EVENT.MESSAGE_READ_RECEIPT_RECEIVED, (event: any) => {
      console.log('receipts', event.data);
    });
    tim.on(TIM.EVENT.CONVERSATION_LIST_UPDATED, (event: { data: Conversation[] }) => {
      this.conversations = event.data;
    });
    tim.on(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (event: { data: number }) => {
      this.unread = event.data;
    });
    tim.on(TIM.EVENT.CONVERSATION_GROUP_LIST_UPDATED, (event: any) => console.log(event.data));
    tim.on(TIM.EVENT.CONVERSATION_IN_GROUP_UPDATED, (event: any) => console.log(event.data));
    tim.on(TIM.EVENT.GROUP_LIST_UPDATED, (event: any) => console.log(event.data));
    tim.on(TIM.EVENT.GROUP_ATTRIBUTES_UPDATED, (event: any) => {
      const { groupID, groupAttributes } = event.data;
      console.log(groupID, groupAttributes);
    });
    tim.on(TIM.EVENT.GROUP_COUNTER_UPDATED, (event: any) => console.log(event.data));
    tim.on(TIM.EVENT.TOPIC_CREATED, (event: any) => console.log(event.data));
    tim.on(TIM.EVENT.TOPIC_DELETED, (event: any) => console.log(event.data));
    tim.on(TIM.EVENT.TOPIC_UPDATED, (event: any) => console.log(event.data));
    tim.on(TIM.EVENT.PROFILE_UPDATED, (event: { data: Profile[] }) => {
      event.data.forEach((p) => console.log(p.userID, p.nick));
    });
    tim.on(TIM.EVENT.USER_STATUS_UPDATED, (event: any) => console.log(event.data));
    tim.on(TIM.EVENT.BLACKLIST_UPDATED, (event: { data: string[] }) => console.log(event.data.length));
    tim.on(TIM.EVENT.FRIEND_LIST_UPDATED, (event: any) => console.log(event.data));
    tim.on(TIM.EVENT.FRIEND_GROUP_LIST_UPDATED, (event: any) => console.log(event.data));
    tim.on(TIM.EVENT.FRIEND_APPLICATION_LIST_UPDATED, (event: any) => {
      const { friendApplicationList, unreadCount } = event.data;
      console.log(friendApplicationList, unreadCount);
    });
    tim.on(TIM.EVENT.KICKED_OUT, (event: { data: { type: string } }) => {
      // The official sample: tell the user why, then go back to the login page.
      if (event.data.type === TIM.TYPES.KICKED_OUT_MULT_ACCOUNT) {
        this.kickedReason = 'logged in on another page';
      } else if (event.data.type === TIM.TYPES.KICKED_OUT_MULT_DEVICE) {
        this.kickedReason = 'logged in on another device';
      } else if (event.data.type === TIM.TYPES.KICKED_OUT_USERSIG_EXPIRED) {
        this.kickedReason = 'session expired';
      } else if (event.data.type === TIM.TYPES.KICKED_OUT_REST_API) {
        this.kickedReason = 'removed by the server';
      }
    });
    tim.on(TIM.EVENT.ERROR, (event: { data: { code: number; message: string } }) => {
      console.warn(event.data.code, event.data.message);
    });
    tim.on(TIM.EVENT.NET_STATE_CHANGE, (event: { data: { state: string } }) => {
      switch (event.data.state) {
        case TIM.TYPES.NET_STATE_CONNECTED:
          console.log('online');
          break;
        case TIM.TYPES.NET_STATE_CONNECTING:
          console.log('reconnecting');
          break;
        case TIM.TYPES.NET_STATE_DISCONNECTED:
          console.log('offline');
          break;
      }
    });
  }

  private onReady(): void {
    this.ready = true;
  }

  private onMessageReceived(event: MessageEvent): void {
    for (const message of event.data) {
      if (message.type === TIM.TYPES.MSG_TEXT) {
        console.log(message.from, message.payload.text);
      } else if (message.type === TIM.TYPES.MSG_CUSTOM) {
        console.log(JSON.parse(message.payload.data));
      }
      this.messages.push(message);
    }
  }

  private replace(m: Message): void {
    const i = this.messages.findIndex((x) => x.ID === m.ID);
    if (i >= 0) this.messages[i] = m;
  }

  login(userID: string, userSig: string): Promise<boolean> {
    return this.tim
      .login({ userID, userSig })
      .then((imResponse) => {
        if (imResponse.data.repeatLogin === true) {
          console.log(imResponse.data.errorInfo);
        }
        return true;
      })
      .catch((imError) => {
        console.warn('login error:', imError.code, imError.message);
        return false;
      });
  }

  logout(): Promise<void> {
    return this.tim.logout().then(() => {
      this.messages = [];
      this.conversations = [];
    });
  }

  async sendText(to: string, text: string): Promise<Message | null> {
    const message = this.tim.createTextMessage({
      to,
      conversationType: TIM.TYPES.CONV_C2C,
      payload: { text },
      cloudCustomData: JSON.stringify({ v: 1 }),
    });
    this.messages.push(message);
    try {
      const imResponse = await this.tim.sendMessage(message);
      const sent: Message = imResponse.data.message;
      this.replace(sent);
      return sent;
    } catch (imError: any) {
      if (imError.code === 80001) console.warn('sensitive words');
      // A failed send carries the failed message (status 'fail') so it can be resent.
      if (imError.data && imError.data.message) this.replace(imError.data.message);
      return null;
    }
  }

  sendDice(to: string): Promise<unknown> {
    const message = this.tim.createCustomMessage({
      to,
      conversationType: TIM.TYPES.CONV_C2C,
      priority: TIM.TYPES.MSG_PRIORITY_NORMAL,
      payload: { data: 'dice', description: String(1 + Math.floor(Math.random() * 6)), extension: '' },
    });
    return this.tim.sendMessage(message, { onlineUserOnly: false });
  }

  sendFaceAndPlace(to: string): Promise<unknown[]> {
    const face = this.tim.createFaceMessage({
      to,
      conversationType: TIM.TYPES.CONV_C2C,
      payload: { index: 1, data: 'tt00' },
    });
    const place = this.tim.createLocationMessage({
      to,
      conversationType: TIM.TYPES.CONV_C2C,
      payload: { description: 'Tencent Binhai Building', longitude: 113.9378, latitude: 22.5227 },
    });
    return Promise.all([this.tim.sendMessage(face), this.tim.sendMessage(place)]);
  }

  resend(message: Message): void {
    if (message.status === 'fail') {
      this.tim.resendMessage(message).then((imResponse) => this.replace(imResponse.data.message));
    }
  }

  // Pull a conversation's history page by page, newest page first.
  async loadMore(conversationID: string): Promise<void> {
    if (this.isCompleted) return;
    const imResponse = await this.tim.getMessageList({
      conversationID,
      nextReqMessageID: this.nextReqMessageID,
    });
    const page: Message[] = imResponse.data.messageList;
    this.messages = page.concat(this.messages);
    this.nextReqMessageID = imResponse.data.nextReqMessageID;
    this.isCompleted = imResponse.data.isCompleted;
  }

  async openConversation(conversationID: string): Promise<void> {
    this.nextReqMessageID = undefined;
    this.isCompleted = false;
    this.messages = [];
    await this.loadMore(conversationID);
    await this.tim.setMessageRead({ conversationID });
  }

  refreshConversations(): void {
    this.tim
      .getConversationList()
      .then((imResponse) => {
        const list: Conversation[] = imResponse.data.conversationList;
        this.conversations = list;
        for (const c of list) {
          const title = c.type === TIM.TYPES.CONV_C2C ? c.userProfile.nick : c.groupProfile.name;
          console.log(title, c.unreadCount, c.lastMessage.messageForShow);
        }
      })
      .catch((imError) => console.warn('getConversationList error:', imError.code));
    this.unread = this.tim.getTotalUnreadMessageCount();
  }

  markAllRead(): void {
    const scope: TIM.TYPES = TIM.TYPES.READ_ALL_MSG;
    this.tim.setAllMessageRead({ scope });
  }

  updateNick(nick: string): void {
    this.tim
      .updateMyProfile({ nick, gender: TIM.TYPES.GENDER_UNKNOWN, allowType: TIM.TYPES.ALLOW_TYPE_ALLOW_ANY })
      .then((imResponse) => console.log(imResponse.data))
      .catch((imError) => console.warn(imError));
  }

  joinGroup(groupID: string): void {
    this.tim.joinGroup({ groupID, type: TIM.TYPES.GRP_PUBLIC }).then((imResponse) => {
      if (imResponse.data.status === TIM.TYPES.JOIN_STATUS_WAIT_APPROVAL) console.log('waiting');
    });
  }

  stop(): void {
    this.tim.off(TIM.EVENT.MESSAGE_RECEIVED, this.onMessageReceived, this);
    this.tim.destroy();
  }
}
