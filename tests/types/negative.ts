// Mistakes js/index.d.ts must reject. Every line ending in `// error TSnnnn` must produce exactly
// that error, and no other line may produce one (check.mjs compares the two).
import TIM from 'tim-wasm';
import type { Message } from 'tim-wasm';

const tim = TIM.create({ SDKAppID: 1400000000 });
declare const message: Message;

// A method that does not exist.
tim.sendMesage(message); // error TS2551
// An event that does not exist.
tim.on(TIM.EVENT.SDK_READYY, () => {}); // error TS2551
// A listener whose declared event type does not match the event.
tim.on(TIM.EVENT.MESSAGE_RECEIVED, (event: { data: number }) => console.log(event)); // error TS2769
// Reading a field the event data does not have.
tim.on(TIM.EVENT.KICKED_OUT, (event) => console.log(event.data.reason)); // error TS2339
// Wrong option types and missing options.
tim.login({ userID: 42, userSig: 'sig' }); // error TS2322
TIM.create({ serverURL: 'http://127.0.0.1:8080' }); // error TS2345
tim.createTextMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C, payload: { txt: 'hi' } }); // error TS2741
tim.createLocationMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C, payload: { description: 'x', longitude: 'east', latitude: 1 } }); // error TS2322
// A plugin instance where the SDK wants the class it constructs.
tim.registerPlugin({ 'tim-upload-plugin': new (class Uploader {})() }); // error TS2769
// Typed results.
tim.login({ userID: 'alice', userSig: 'sig' }).then((r) => { const n: number = r.data.repeatLogin; return n; }); // error TS2322
tim.getMessageList({ conversationID: 'C2Cbob' }).then((r) => r.data.messageList.map((m) => m.iD)); // error TS2551
// getTotalUnreadMessageCount is synchronous.
tim.getTotalUnreadMessageCount().then(() => {}); // error TS2339
// TIM.TYPES is an enum, as in the official typings: a bare string is not one.
const t: TIM.TYPES = 'C2C'; // error TS2322
console.log(t);
